import fs from "node:fs";
import { databaseFile, type Config } from "../config.js";
import { PostgresStorage } from "./postgres.js";
import { SqliteStorage } from "./sqlite.js";
import type { Storage } from "./storage.js";

/** An address with any password left out: for logs and errors. */
export function withoutPassword(address: string): string {
  const url = new URL(address);
  url.password = "";
  url.searchParams.delete("password");
  return url.href;
}

/** Where a configuration stores its sheets, with any password left out: for logs and errors. */
export function storagePlace(config: Pick<Config, "dataDir" | "databaseUrl">): string {
  return config.databaseUrl ? withoutPassword(config.databaseUrl) : databaseFile(config);
}

/**
 * The storage a configuration names: PostgreSQL at `DATABASE_URL`, or else the SQLite file in
 * DATA_DIR. A server on PostgreSQL without a relay (`REDIS_URL`) is its only node, and holds a
 * lock that keeps a second one out; with one, any number share the database.
 * - `command`: for an operator's command, run beside the server on its data: it refuses a
 *   database that is not there rather than create one (pointed at the wrong place), and shares
 *   the database with the running server.
 * - `onLockLost`: for the server on PostgreSQL, told if another server took the database while
 *   this one could not reach it (see PostgresStorage.open): this one must stop.
 */
export async function openStorage(
  config: Pick<Config, "dataDir" | "databaseUrl"> & Partial<Pick<Config, "redisUrl">>,
  options: { command?: boolean; onLockLost?: (err: Error) => void } = {},
): Promise<Storage> {
  if (!config.databaseUrl) {
    const file = databaseFile(config);
    if (options.command && !fs.existsSync(file)) throw new Error(`there is no database at ${file}: set DATA_DIR to the server's`);
    return new SqliteStorage(file);
  }
  try {
    return await PostgresStorage.open(config.databaseUrl, {
      lock: options.command ? "none" : config.redisUrl ? "shared" : "sole",
      ...(options.command ? { existing: true } : {}),
      ...(options.onLockLost ? { onLockLost: options.onLockLost } : {}),
    });
  } catch (err) {
    throw new Error(`cannot use the PostgreSQL database at ${storagePlace(config)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
