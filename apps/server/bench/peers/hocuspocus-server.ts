/**
 * Hocuspocus as it runs in production, for the comparison in ../compare.ts: its own server, the
 * Database extension storing each document's state in a SQLite file (WAL, synchronous=FULL, as
 * Cosheet's), its default debounce. Prints `{"port":N}` once listening; SIGTERM stores and exits.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { Database as DatabaseExtension } from "@hocuspocus/extension-database";
import { Server } from "@hocuspocus/server";

const db = new Database(path.join(process.env.DATA_DIR!, "hocuspocus.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, data BLOB NOT NULL)`);
const select = db.prepare<[string], { data: Buffer }>("SELECT data FROM documents WHERE name = ?");
const upsert = db.prepare<[string, Buffer]>("INSERT INTO documents (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data");

const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: "127.0.0.1",
  quiet: true,
  extensions: [
    new DatabaseExtension({
      fetch: async ({ documentName }) => select.get(documentName)?.data ?? null,
      store: async ({ documentName, state }) => void upsert.run(documentName, state),
    }),
  ],
});
await server.listen();
console.log(JSON.stringify({ port: server.address.port }));
