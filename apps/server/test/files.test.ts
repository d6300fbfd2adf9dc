import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, ProtocolError } from "@cosheet/protocol";
import * as Y from "yjs";
import { FIRST_TAB, initSheet, Sheet, toCsv } from "@cosheet/sheet";
import { FileWorkers } from "../src/files/pool.js";

const pools: FileWorkers[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function workers(options: ConstructorParameters<typeof FileWorkers>[0]): FileWorkers {
  const pool = new FileWorkers(options);
  pools.push(pool);
  return pool;
}

async function codeOf(job: Promise<unknown>): Promise<string | null> {
  try {
    await job;
    return null;
  } catch (err) {
    return err instanceof ProtocolError ? err.code : `untyped: ${String(err)}`;
  }
}

describe("file workers", () => {
  it("answer a job that needs more memory than a worker has as too large, and go on working", async () => {
    const pool = workers({ maxHeapMb: 64 });
    const csv = toCsv(Array.from({ length: 100_000 }, (_, r) => Array.from({ length: 10 }, (_, c) => `${"x".repeat(40)}${r}-${c}`)));
    const job = pool.run("readUpload", { kind: "csv", body: csv, maxCells: 1_000_000 });
    expect(await codeOf(job)).toBe(ErrorCode.ImportTooLarge);
    const small = await pool.run("readUpload", { kind: "csv", body: "a,b\n1,2", maxCells: 10 });
    expect(small).toMatchObject({ ok: true, sheets: [{ rows: 2, cols: 2, bands: [JSON.stringify({ offset: 0, data: { name: "", rows: [["a", "b"], ["1", "2"]], styles: [], colWidths: [], rowHeights: [], frozen: { rows: 0, cols: 0 }, notes: [], merges: [] } })] }] });
  }, 60_000);

  it("give up on a job past its time, and refuse new ones while the queue is full", async () => {
    const slow = workers({ timeoutMs: 1 });
    expect(await codeOf(slow.run("csvExport", { state: new Uint8Array([0, 0]), tab: FIRST_TAB, neutralizeFormulas: true, values: "shown" }))).toBe(ErrorCode.Unavailable);
    const busy = workers({ maxQueue: 1 });
    const jobs = Array.from({ length: 4 }, () => busy.run("csvExport", { state: new Uint8Array([0, 0]), tab: FIRST_TAB, neutralizeFormulas: true, values: "inputs" }));
    const codes = await Promise.all(jobs.map(codeOf));
    expect(codes).toContain(ErrorCode.Unavailable);
    expect(codes).toContain(null);
  }, 60_000);

  it("write an XLSX file from a copy of a sheet", async () => {
    const pool = workers({});
    const doc = new Y.Doc();
    initSheet(doc);
    Sheet.of(doc).setCellsA1({ A1: "1", A2: "2", A3: "=A1+A2" });
    const file = await pool.run("xlsxExport", { state: Y.encodeStateAsUpdate(doc) });
    expect([...file.subarray(0, 2)]).toEqual([0x50, 0x4b]); // a ZIP archive
  }, 60_000);
});
