import fs from "node:fs";
import { databaseFile, type Config } from "../config.js";
import { PostgresStorage } from "./postgres.js";
import { SqliteStorage } from "./sqlite.js";
import type { Storage } from "./storage.js";

/** Where a configuration stores its sheets, with any password left out: for logs and errors. */
export function storagePlace(config: Pick<Config, "dataDir" | "databaseUrl">): string {
  if (!config.databaseUrl) return databaseFile(config);
  const url = new URL(config.databaseUrl);
  url.password = "";
  return url.href;
}

/**
 * The storage a configuration names: PostgreSQL at `DATABASE_URL`, or else the SQLite file in
 * DATA_DIR. `existing` refuses to create a SQLite file that is not there (an operator's command
 * pointed at the wrong directory).
 */
export async function openStorage(config: Pick<Config, "dataDir" | "databaseUrl">, options: { existing?: boolean } = {}): Promise<Storage> {
  if (!config.databaseUrl) {
    const file = databaseFile(config);
    if (options.existing && !fs.existsSync(file)) throw new Error(`there is no database at ${file}: set DATA_DIR to the server's`);
    return new SqliteStorage(file);
  }
  try {
    return await PostgresStorage.open(config.databaseUrl);
  } catch (err) {
    throw new Error(`cannot use the PostgreSQL database at ${storagePlace(config)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
