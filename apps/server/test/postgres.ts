/**
 * A real PostgreSQL server for the tests: a fresh cluster in a temporary directory, from the
 * machine's own PostgreSQL (Debian's `postgresql` package, or PG_BIN), on a free port of
 * 127.0.0.1. As root (CI), the cluster belongs to the `postgres` user, as PostgreSQL requires.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, postgresCommand, queryOnce, startPostgresServer } from "../scripts/services.js";

export { queryOnce };

const PREFIX = "cosheet-pg-";

/**
 * Stops and removes the clusters of test processes that ended without stopping theirs (a crash, a
 * timeout): each cluster's directory names the process that started it.
 */
function stopOrphans(): void {
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = path.join(os.tmpdir(), name);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, "owner"), "utf8"));
    } catch {
      continue; // just made, its owner not written yet
    }
    try {
      process.kill(owner, 0);
      continue; // its process still runs
    } catch {
      // gone
    }
    try {
      execFileSync(...postgresCommand("pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]), { stdio: "ignore" });
    } catch {
      // not running
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestPostgres {
  /** The server's address, for its `postgres` database. */
  url: string;
  /** The address of a new, empty database on the server. */
  newDatabase(): Promise<string>;
  /** Stops the server at once: every connection cut, as in a crash (its data stays). */
  kill(): Promise<void>;
  /** Starts it again after {@link kill}. */
  start(): Promise<void>;
  /** {@link kill}, then {@link start}. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `fsync`: write as a production server does (for benchmarks). Tests check behaviour, not a
 * power loss: without it they are quicker on a shared disk.
 */
export async function startPostgres(options: { fsync?: boolean } = {}): Promise<TestPostgres> {
  stopOrphans();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, "owner"), String(process.pid));
  const server = await startPostgresServer({ dir, port: await freePort(), fsync: options.fsync ?? false });
  let databases = 0;
  return {
    url: server.url(),
    async newDatabase() {
      const name = `test_${++databases}`;
      await server.createDatabase(name);
      return server.url(name);
    },
    kill: server.kill,
    start: server.start,
    async restart() {
      await server.kill();
      await server.start();
    },
    async stop() {
      await server.kill().catch(() => {}); // already stopped by a test
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
