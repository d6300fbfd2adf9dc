import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";
import { toCsv } from "@cosheet/sheet";
import { connectClient, createSheet } from "../test/helpers.js";
import { spawnServer } from "../test/process.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cold-"));
let server = await spawnServer({ DATA_DIR: dataDir, PORT: "0" });
const id = await createSheet(server.url);
const csv = toCsv(Array.from({ length: 1000 }, (_, r) => Array.from({ length: 100 }, (_, c) => `r${r}c${c}`)));
let t = performance.now();
await fetch(`${server.url}/api/sheets/${id}/import`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
console.log("import", (performance.now() - t).toFixed(0));
server.child.kill("SIGTERM"); await server.exited;
for (let i = 0; i < 3; i++) {
  server = await spawnServer({ DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "debug" });
  let log = "";
  server.child.stdout!.on("data", (d: Buffer) => (log += d));
  t = performance.now();
  const c = connectClient(server.url, id, { socket: { forceNew: true } });
  c.socket.once("connect", () => console.log("  connect", (performance.now() - t).toFixed(0)));
  c.doc.once("update", () => console.log("  step2 applied", (performance.now() - t).toFixed(0)));
  c.doc.once("beforeTransaction", () => console.log("  step2 arrives", (performance.now() - t).toFixed(0)));
  await c.provider.whenSynced();
  console.log("  synced", (performance.now() - t).toFixed(0), c.sheet.types.cells.size);
  console.log("  server:", /"updates":\d+,"ms":\d+/.exec(log)?.[0]);
  c.close();
  server.child.kill("SIGTERM"); await server.exited;
}
process.exit(0);
