import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { ErrorCode, LIMITS, XLSX_TYPE } from "@cosheet/protocol";
import { parseCsv } from "@cosheet/sheet";
import { MemoryStorage } from "../src/storage/memory.js";
import { apiCall, bearer, connectClient, createSheet, eventually, ownerSecret, startServer, type TestServer } from "./helpers.js";

let server: TestServer;
let webDir: string;

beforeAll(async () => {
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-web-"));
  fs.writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Cosheet</title>");
  server = await startServer({ webDir });
});

afterAll(async () => {
  await server.close();
});

const api = (method: string, url: string, body?: unknown, type?: string) => apiCall(server.url, method, url, body, type);

describe("HTTP API", () => {
  it("creates a sheet and describes it", async () => {
    const created = await api("POST", "/api/sheets", { title: "Budget 2027" });
    expect(created.status).toBe(201);
    expect(created.json.url).toBe(`/s/${created.json.id}#k=${created.json.secret}`);
    expect(created.json.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(created.json.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const info = await api("GET", `/api/sheets/${created.json.id}`);
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ id: created.json.id, title: "Budget 2027", rowCount: 1000, colCount: 26 });
    expect(Date.parse(info.json.updatedAt)).not.toBeNaN();
    const untitled = await api("POST", "/api/sheets");
    expect(untitled.status).toBe(201);
  });

  it("answers bad requests with typed errors", async () => {
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/api/sheets", { title: 5 }, 400, ErrorCode.BadRequest],
      ["POST", "/api/sheets", { title: "x", extra: 1 }, 400, ErrorCode.BadRequest],
      ["GET", "/api/sheets/not-an-id", undefined, 400, ErrorCode.InvalidSheetId],
      ["GET", "/api/sheets/..%2F..%2Fetc%2Fpasswd", undefined, 400, ErrorCode.InvalidSheetId],
      ["GET", `/api/sheets/${"Q".repeat(22)}`, undefined, 404, ErrorCode.NotFound],
      ["GET", `/api/sheets/${"Q".repeat(22)}/cells`, undefined, 404, ErrorCode.NotFound],
      ["GET", "/api/nothing-here", undefined, 404, ErrorCode.NotFound],
    ];
    for (const [method, url, body, status, code] of cases) {
      const res = await api(method, url, body);
      expect({ url, status: res.status, code: res.json?.error?.code }).toEqual({ url, status, code });
      expect(typeof res.json.error.message).toBe("string");
    }
    const malformed = await api("POST", "/api/sheets", "{not json", "application/json");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe(ErrorCode.BadRequest);
  });

  it("PATCH applies cells as one transaction, seen live by a socket client, durable before the 200", async () => {
    const id = await createSheet(server.url);
    const watcher = connectClient(server.url, id);
    await watcher.provider.whenSynced();
    let transactions = 0;
    watcher.doc.on("afterTransaction", (tr: { origin: unknown }) => {
      if (tr.origin === watcher.provider) transactions++;
    });
    const patched = await api("PATCH", `/api/sheets/${id}/cells`, { cells: { A1: "hello", B2: "42", C3: "-1.5e2" } });
    expect(patched.status).toBe(200);
    expect(patched.json).toEqual({ updated: 3 });
    const stored = await server.storage.load(id);
    expect(stored!.updates.length).toBe(2);
    await eventually(() => expect(watcher.sheet.toA1Record()).toEqual({ A1: "hello", B2: "42", C3: "-1.5e2" }));
    expect(transactions).toBe(1);

    const read = await api("GET", `/api/sheets/${id}/cells?range=A1:C3`);
    expect(read.json.range).toBe("A1:C3");
    expect(read.json.cells[0][0]).toEqual({ input: "hello", value: "hello", text: "hello" });
    expect(read.json.cells[1][1]).toEqual({ input: "42", value: 42, text: "42" });
    expect(read.json.cells[2][2]).toEqual({ input: "-1.5e2", value: -150, text: "-1.5e2" });
    expect(read.json.cells[0][1]).toEqual({ input: "", value: null, text: "" });


    await api("PATCH", `/api/sheets/${id}/cells`, { cells: { A1: "" } });
    const used = await api("GET", `/api/sheets/${id}/cells`);
    expect(used.json.range).toBe("A1:C3");
    expect(used.json.cells[0][0]).toEqual({ input: "", value: null, text: "" });
    await eventually(() => expect(watcher.sheet.toA1Record()).toEqual({ B2: "42", C3: "-1.5e2" }));
    watcher.close();

    // Formulas: the value is computed.
    await api("PATCH", `/api/sheets/${id}/cells`, { cells: { D1: "=B2*2+C3", D2: "=1/0", D3: "=B2>40" } });
    const computed = await api("GET", `/api/sheets/${id}/cells?range=D1:D3`);
    expect(computed.json.cells.map((r: { value: unknown }[]) => r[0]!.value)).toEqual([-66, { error: "#DIV/0!" }, true]);
  });

  it("a bad PATCH changes nothing", async () => {
    const id = await createSheet(server.url);
    for (const body of [{ cells: { A1: "x", "NOT A CELL": "y" } }, { cells: { A1: "x", XFE1: "y" } }, { cells: { A1: 5 } }, { cell: {} }]) {
      const res = await api("PATCH", `/api/sheets/${id}/cells`, body);
      expect(res.status).toBe(400);
    }
    const read = await api("GET", `/api/sheets/${id}/cells`);
    expect(read.json).toEqual({ range: null, cells: [] });
    const badRange = await api("GET", `/api/sheets/${id}/cells?range=A1:ZZZZ9`);
    expect(badRange.json.error.code).toBe(ErrorCode.InvalidRange);
    const hugeRange = await api("GET", `/api/sheets/${id}/cells?range=A1:XFD1048576`);
    expect(hugeRange.json.error.code).toBe(ErrorCode.InvalidRange);
  });

  it("imports and exports CSV (what cells show, or their inputs), neutralising formulas unless asked not to", async () => {
    const id = await createSheet(server.url, "Inventory: Q1/Q2");
    const csv = 'item,qty,note\r\napple,3,"crisp, red"\r\npear,=1+1,"says ""hi"""\r\n';
    const imported = await api("POST", `/api/sheets/${id}/import?at=B2`, csv, "text/csv");
    expect(imported.status).toBe(200);
    expect(imported.json).toEqual({ range: "B2:D4", rows: 3, cols: 3 });
    const read = await api("GET", `/api/sheets/${id}/cells?range=B2:D4`);
    expect(read.json.cells.map((r: { input: string }[]) => r.map((c) => c.input))).toEqual([
      ["item", "qty", "note"],
      ["apple", "3", "crisp, red"],
      ["pear", "=1+1", 'says "hi"'],
    ]);
    const exported = await api("GET", `/api/sheets/${id}/export.csv`);
    expect(exported.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(exported.headers.get("content-disposition")).toContain("Inventory_ Q1_Q2.csv");
    // What people see: the formula's value.
    expect(exported.text).toBe(',,,\r\n,item,qty,note\r\n,apple,3,"crisp, red"\r\n,pear,2,"says ""hi"""');
    expect((await api("GET", `/api/sheets/${id}/export.csv?values=shown`)).text).toBe(exported.text);
    // The inputs, for scripts: the formula as typed, neutralised unless asked not to be.
    const inputs = await api("GET", `/api/sheets/${id}/export.csv?values=inputs`);
    expect(inputs.text).toBe(',,,\r\n,item,qty,note\r\n,apple,3,"crisp, red"\r\n,pear,\'=1+1,"says ""hi"""');
    expect((await api("GET", `/api/sheets/${id}/export.csv?values=inputs&neutralize=1`)).text).toBe(inputs.text);
    const raw = await api("GET", `/api/sheets/${id}/export.csv?values=inputs&neutralize=0`);
    expect(raw.text).toBe(',,,\r\n,item,qty,note\r\n,apple,3,"crisp, red"\r\n,pear,=1+1,"says ""hi"""');
    for (const query of ["neutralize=1&neutralize=0", "neutralize=maybe", "neutralize=", "values=formulas", "values=shown&values=inputs"]) {
      const res = await api("GET", `/api/sheets/${id}/export.csv?${query}`);
      expect({ query, status: res.status, code: res.json?.error?.code }).toEqual({ query, status: 400, code: ErrorCode.BadRequest });
    }
  });

  it("exports CSV injection payloads as text", async () => {
    const id = await createSheet(server.url);
    const payloads = ["+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"];
    const cells = Object.fromEntries([...payloads, "-2", "+3"].map((input, i) => [`A${i + 1}`, input]));
    expect((await api("PATCH", `/api/sheets/${id}/cells`, { cells })).status).toBe(200);
    const exported = await api("GET", `/api/sheets/${id}/export.csv?values=inputs`);
    expect(parseCsv(exported.text).flat()).toEqual([...payloads.map((p) => `'${p}`), "-2", "+3"]);
    // What they show: nothing a spreadsheet would run either.
    const shown = parseCsv((await api("GET", `/api/sheets/${id}/export.csv`)).text).flat();
    expect(shown).toHaveLength(payloads.length + 2);
    for (const text of shown) expect(/^[=+\-@\t\r]/.test(text) && !/^[+-]\d+$/.test(text), text).toBe(false);
  });

  it("refuses a broken or oversized CSV and changes nothing", async () => {
    const id = await createSheet(server.url);
    const broken = await api("POST", `/api/sheets/${id}/import?at=A1`, 'a,b\n"unclosed,c\n', "text/csv");
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe(ErrorCode.InvalidCsv);
    const row = Array.from({ length: 1001 }, () => "1").join(",");
    const big = Array.from({ length: Math.ceil(LIMITS.maxImportCells / 1001) + 1 }, () => row).join("\n");
    const oversized = await api("POST", `/api/sheets/${id}/import`, big, "text/csv");
    expect(oversized.status).toBe(413);
    expect(oversized.json.error).toEqual({ code: ErrorCode.ImportTooLarge, message: `the CSV has more than ${LIMITS.maxImportCells} cells` });
    const outside = await api("POST", `/api/sheets/${id}/import?at=XFD1`, "a,b", "text/csv");
    expect(outside.status).toBe(400);
    const badAt = await api("POST", `/api/sheets/${id}/import?at=hello`, "a,b", "text/csv");
    expect(badAt.json.error.code).toBe(ErrorCode.InvalidRange);
    const read = await api("GET", `/api/sheets/${id}/cells`);
    expect(read.json).toEqual({ range: null, cells: [] });
    expect((await api("GET", `/api/sheets/${id}`)).json.colCount).toBe(26);
  });

  it("creates a sheet from a CSV or XLSX file, and refuses a broken one", async () => {
    const fromCsv = await api("POST", "/api/sheets?title=From%20CSV", "a,b\r\n1,=A2*2\r\n", "text/csv");
    expect(fromCsv.status).toBe(201);
    const read = await api("GET", `/api/sheets/${fromCsv.json.id}/cells?range=A1:B2`);
    expect(read.json.cells[1][1]).toEqual({ input: "=A2*2", value: 2, text: "2" });
    expect((await api("GET", `/api/sheets/${fromCsv.json.id}`)).json.title).toBe("From CSV");

    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("Prices");
    ws.getCell("A1").value = "price";
    ws.getCell("A1").font = { bold: true };
    ws.getCell("A2").value = 9.5;
    ws.getCell("A3").value = { formula: "A2*2", result: 19 };
    ws.getCell("A3").numFmt = "$#,##0.00";
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const fromXlsx = await api("POST", "/api/sheets", bytes, XLSX_TYPE);
    expect(fromXlsx.status).toBe(201);
    const info = await api("GET", `/api/sheets/${fromXlsx.json.id}`);
    expect(info.json.title).toBe("Prices");
    const cells = await api("GET", `/api/sheets/${fromXlsx.json.id}/cells?range=A1:A3`);
    expect(cells.json.cells.map((r: { value: unknown }[]) => r[0]!.value)).toEqual(["price", 9.5, 19]);
    // What the sheet shows, and its formatting when it has some.
    expect(cells.json.cells[0][0]).toEqual({ input: "price", value: "price", text: "price", style: { bold: true } });
    expect(cells.json.cells[2][0]).toEqual({ input: "=A2*2", value: 19, text: "$19.00", style: { numFmt: "$#,##0.00" } });

    const broken = await api("POST", "/api/sheets", new Uint8Array([80, 75, 3, 4, 1, 2, 3]), XLSX_TYPE);
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe(ErrorCode.InvalidXlsx);
  });

  it("imports XLSX at a cell and exports XLSX with values, formulas and formatting", async () => {
    const id = await createSheet(server.url, "Sales");
    await api("PATCH", `/api/sheets/${id}/cells`, { cells: { A1: "x", B1: "=A2+1", A2: "41" } });
    const book = new ExcelJS.Workbook();
    book.addWorksheet("In").getCell("A1").value = "imported";
    book.worksheets[0]!.getCell("A1").note = "Checked by Ann";
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const imported = await api("POST", `/api/sheets/${id}/import?at=C3`, bytes, XLSX_TYPE);
    expect(imported.json).toEqual({ range: "C3", rows: 1, cols: 1 });
    // The file's note is a comment on the cell it was written to.
    const { threads } = (await api("GET", `/api/sheets/${id}/comments`)).json;
    expect(threads).toMatchObject([{ cell: "C3", comments: [{ author: "Imported note", text: "Checked by Ann" }] }]);

    const res = await fetch(`${server.url}/api/sheets/${id}/export.xlsx`, { headers: bearer(ownerSecret(id)) });
    expect(res.headers.get("content-type")).toBe(XLSX_TYPE);
    expect(res.headers.get("content-disposition")).toContain("Sales.xlsx");
    const out = new ExcelJS.Workbook();
    await out.xlsx.load(await res.arrayBuffer());
    const sheet = out.worksheets[0]!;
    expect(sheet.name).toBe("Sheet1");
    expect(sheet.getCell("B1").value).toEqual({ formula: "A2+1", result: 42 });
    expect(sheet.getCell("A2").value).toBe(41);
    expect(sheet.getCell("C3").value).toBe("imported");
    expect(sheet.getCell("C3").note).toBe("Imported note:\nChecked by Ann");

    const garbage = await api("POST", `/api/sheets/${id}/import`, new TextEncoder().encode("nope"), XLSX_TYPE);
    expect(garbage.json.error.code).toBe(ErrorCode.InvalidXlsx);
    const after = await api("GET", `/api/sheets/${id}/cells`);
    expect(after.json.range).toBe("A1:C3");
  });

  it("answers 503 at /healthz while the storage does not answer, and says why", async () => {
    const failing = new MemoryStorage();
    failing.check = () => Promise.reject(new Error("the database is down"));
    const down = await startServer({ storage: failing });
    try {
      const res = await fetch(`${down.url}/healthz`);
      expect(res.status).toBe(503);
      // What failed stays in the log: it may name the database's host.
      expect(await res.json()).toEqual({ status: "unavailable", storage: { kind: "memory", status: "unavailable", error: "the storage could not be reached" } });
      expect(await (await fetch(`${down.url}/metrics`)).text()).toContain('cosheet_storage_up{kind="memory"} 0');
    } finally {
      await down.close();
    }
    // A storage that never answers is unavailable too, after the check's 2 s.
    const hung = new MemoryStorage();
    hung.check = () => new Promise(() => {});
    const stuck = await startServer({ storage: hung });
    try {
      const res = await fetch(`${stuck.url}/healthz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { storage: unknown }).storage).toEqual({ kind: "memory", status: "unavailable", error: "no answer within 2000 ms" });
    } finally {
      await stuck.close();
    }
  });

  it("serves health, metrics and the web app with history fallback", async () => {
    const health = await api("GET", "/healthz");
    expect(health.json).toEqual({ status: "ok", storage: { kind: "memory", status: "ok", latencyMs: expect.any(Number) } });
    const metrics = (await api("GET", "/metrics")).text;
    expect(metrics).toContain("cosheet_open_sheets");
    expect(metrics).toContain('cosheet_storage_up{kind="memory"} 1');
    const page = await api("GET", `/s/${"a".repeat(22)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("<title>Cosheet</title>");
    expect((await api("GET", "/")).text).toContain("<title>Cosheet</title>");
    expect((await api("GET", "/assets/missing.js")).status).toBe(404);
  });
});
