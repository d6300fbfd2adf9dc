import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MemoryStorage } from "../src/storage/memory.js";
import { SqliteStorage } from "../src/storage/sqlite.js";
import { storageContract } from "./storage.contract.js";

storageContract("memory", async () => ({ storage: new MemoryStorage() }));

storageContract("sqlite", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-")), "nested", "sheets.db");
  return { storage: new SqliteStorage(file), reopen: async () => new SqliteStorage(file) };
});
