import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, LIMITS } from "@cosheet/protocol";
import { initSheet } from "@cosheet/sheet";
import { newSheetId } from "../src/registry/registry.js";
import { MemoryStorage } from "../src/storage/memory.js";
import { startServer, type TestServer } from "./helpers.js";

let server: TestServer;
const id = newSheetId();

beforeAll(async () => {
  // A sheet one cell past the XLSX export's limit, stored before the server starts (building it
  // blocks this process for seconds, which must not stall a server sharing it mid-request).
  const doc = new Y.Doc();
  initSheet(doc, { rows: LIMITS.maxXlsxExportCells / 10 + 1, cols: 10 });
  const cells = doc.getMap<string>("cells");
  const rows = doc.getArray<string>("rows").toArray();
  const cols = doc.getArray<string>("cols").toArray();
  doc.transact(() => {
    for (let i = 0; i <= LIMITS.maxXlsxExportCells; i++) cells.set(`${rows[Math.floor(i / 10)]}:${cols[i % 10]}`, "1");
  });
  const storage = new MemoryStorage();
  await storage.create(id, Y.encodeStateAsUpdate(doc), { plainAddress: true, links: [] }); // made before links
  server = await startServer({ storage });
}, 60_000);

afterAll(async () => {
  await server.close();
});

describe("exports are bounded", () => {
  it("refuses an XLSX export past its cell limit at once, and exports the same sheet as CSV", async () => {
    const xlsx = await fetch(`${server.url}/api/sheets/${id}/export.xlsx`);
    expect(xlsx.status).toBe(413);
    expect(((await xlsx.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.ExportTooLarge);
    const csv = await fetch(`${server.url}/api/sheets/${id}/export.csv`);
    expect(csv.status).toBe(200);
    expect((await csv.text()).split("\r\n")).toHaveLength(LIMITS.maxXlsxExportCells / 10 + 1);
  }, 60_000);
});
