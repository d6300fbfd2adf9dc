/**
 * A real PostgreSQL server for the tests: a fresh cluster in a temporary directory, from the
 * machine's own PostgreSQL (Debian's `postgresql` package, or PG_BIN), on a free port of
 * 127.0.0.1. As root (CI), the cluster belongs to the `postgres` user, as PostgreSQL requires.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./process.js";

const execFileAsync = promisify(execFile);

/** Runs one statement on its own connection to `url`, and answers its rows. */
export async function queryOnce<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
const PREFIX = "cosheet-pg-";

/**
 * Stops and removes the clusters of test processes that ended without stopping theirs (a crash, a
 * timeout): each cluster's directory names the process that started it.
 */
function stopOrphans(command: (tool: string, args: string[]) => [string, string[]]): void {
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
      execFileSync(...command("pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]), { stdio: "ignore" });
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

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, "bin")).find((dir) => fs.existsSync(path.join(dir, "pg_ctl")));
  if (!found) throw new Error("no PostgreSQL server on this machine: install Debian's postgresql package, or set PG_BIN");
  return found;
}

/**
 * `fsync`: write as a production server does (for benchmarks). Tests check behaviour, not a
 * power loss: without it they are quicker on a shared disk.
 */
export async function startPostgres(options: { fsync?: boolean } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  /** The command line of one of PostgreSQL's tools, as the cluster's owner. */
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  stopOrphans(command);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, "owner"), String(process.pid));
  const data = path.join(dir, "data");
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  // Asynchronous: the tests' own servers and clients go on while PostgreSQL starts and stops.
  const run = async (tool: string, args: string[]) => {
    await execFileAsync(...command(tool, args));
  };
  await run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=${options.fsync ? "on" : "off"} -c max_connections=200`;
  const start = () => run("pg_ctl", ["-D", data, "-o", settings, "-l", path.join(dir, "log"), "-w", "start"]);
  const kill = () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    async newDatabase() {
      const name = `test_${++databases}`;
      await queryOnce(url, `CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    kill,
    start,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill().catch(() => {}); // already stopped by a test

      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
