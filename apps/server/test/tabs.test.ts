import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@cosheet/protocol";
import { Workbook } from "@cosheet/sheet";
import { SqliteStorage } from "../src/storage/sqlite.js";
import { apiCall, connectClient, createSheet, eventually, startServer, type TestClient, type TestServer } from "./helpers.js";

let server: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

const api = (method: string, url: string, body?: unknown, type?: string) => apiCall(server.url, method, url, body, type);

describe("tabs over HTTP", () => {
  it("are listed, added, renamed, moved and deleted, and every cells, import and export endpoint takes tab=", async () => {
    const id = await createSheet(server.url, "Budget");
    const live = connectClient(server.url, id);
    clients.push(live);
    await live.provider.whenSynced();

    const info = await api("GET", `/api/sheets/${id}`);
    expect(info.json.tabs).toEqual([{ id: "first", name: "Sheet1", rowCount: 1000, colCount: 26 }]);
    const added = await api("POST", `/api/sheets/${id}/tabs`, { name: "Data" });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ name: "Data", rowCount: 1000, colCount: 26 });
    const data = added.json.id as string;
    await eventually(() => expect(Workbook.of(live.doc).list().map((t) => t.name)).toEqual(["Sheet1", "Data"]));

    // By name (any case) or by id; the first tab by default.
    expect((await api("PATCH", `/api/sheets/${id}/cells?tab=data`, { cells: { A1: "on data", B1: "=A1" } })).status).toBe(200);
    expect((await api("PATCH", `/api/sheets/${id}/cells`, { cells: { A1: "on first" } })).status).toBe(200);
    const read = await api("GET", `/api/sheets/${id}/cells?tab=${data}&range=A1:B1`);
    expect(read.json.cells[0].map((c: { value: unknown }) => c.value)).toEqual(["on data", "on data"]);
    expect((await api("GET", `/api/sheets/${id}/cells?range=A1`)).json.cells[0][0].value).toBe("on first");
    expect((await api("GET", `/api/sheets/${id}/export.csv?tab=Data`)).text).toBe("on data,on data");
    expect((await api("GET", `/api/sheets/${id}/export.csv?tab=Data&values=inputs`)).text).toBe("on data,'=A1");
    const imported = await api("POST", `/api/sheets/${id}/import?tab=Data&at=A3`, "x,y\n1,2\n", "text/csv");
    expect(imported.json).toEqual({ range: "A3:B4", rows: 2, cols: 2 });
    expect((await api("GET", `/api/sheets/${id}/cells?tab=Data&range=A4`)).json.cells[0][0].value).toBe(1);
    const asTab = await api("POST", `/api/sheets/${id}/import?newTab=Data`, "p,q\n", "text/csv");
    expect(asTab.json).toEqual({ range: "A1:B1", rows: 1, cols: 2, tabs: ["Data 2"] });
    expect((await api("GET", `/api/sheets/${id}/cells?tab=Data%202&range=B1`)).json.cells[0][0].value).toBe("q");
    expect((await api("DELETE", `/api/sheets/${id}/tabs/Data%202`)).status).toBe(204);
    const history = await api("GET", `/api/sheets/${id}/cells/A1/history?tab=Data`);
    expect(history.json.history.map((h: { input: string }) => h.input)).toEqual(["on data"]);

    // An unknown tab is a typed 404, on every endpoint that takes one.
    for (const [method, url] of [
      ["GET", `/api/sheets/${id}/cells?tab=Nope`],
      ["GET", `/api/sheets/${id}/export.csv?tab=Nope`],
      ["PATCH", `/api/sheets/${id}/tabs/Nope`],
      ["DELETE", `/api/sheets/${id}/tabs/Nope`],
    ] as const) {
      const res = await api(method, url, method === "PATCH" ? { name: "X" } : undefined);
      expect([res.status, res.json.error.code], url).toEqual([404, ErrorCode.UnknownTab]);
    }

    const renamed = await api("PATCH", `/api/sheets/${id}/tabs/Data`, { name: "Inputs", index: 0 });
    expect(renamed.json).toMatchObject({ id: data, name: "Inputs" });
    expect((await api("GET", `/api/sheets/${id}`)).json.tabs.map((t: { name: string }) => t.name)).toEqual(["Inputs", "Sheet1"]);
    const taken = await api("PATCH", `/api/sheets/${id}/tabs/${data}`, { name: "sheet1" });
    expect([taken.status, taken.json.error.code]).toEqual([400, ErrorCode.InvalidTab]);
    const badName = await api("POST", `/api/sheets/${id}/tabs`, { name: "a/b" });
    expect(badName.json.error.code).toBe(ErrorCode.InvalidTab);
    expect((await api("PATCH", `/api/sheets/${id}/tabs/${data}`, {})).json.error.code).toBe(ErrorCode.BadRequest);

    expect((await api("DELETE", `/api/sheets/${id}/tabs/Sheet1`)).status).toBe(204);
    // The first tab now is Inputs: the default for tab-less requests.
    expect((await api("GET", `/api/sheets/${id}/cells?range=A1`)).json.cells[0][0].value).toBe("on data");
    const last = await api("DELETE", `/api/sheets/${id}/tabs/Inputs`);
    expect([last.status, last.json.error.code]).toEqual([400, ErrorCode.InvalidTab]);
    await eventually(() => expect(Workbook.of(live.doc).list().map((t) => t.name)).toEqual(["Inputs"]));
  });

  it("only links that can edit change tabs", async () => {
    const id = await createSheet(server.url);
    const view = (await api("POST", `/api/sheets/${id}/links`, { role: "comment" })).json.secret as string;
    const res = await apiCall(server.url, "POST", `/api/sheets/${id}/tabs`, { name: "Mine" }, "application/json", view);
    expect(res.status).toBe(403);
    expect((await apiCall(server.url, "GET", `/api/sheets/${id}`, undefined, undefined, view)).json.tabs).toHaveLength(1);
  });
});

describe("a workbook from the previous release", () => {
  it("opens as one tab holding everything it had, and takes more tabs across a restart", async () => {
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "sheets-v1.db");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-tabs-")), "sheets.db");
    fs.copyFileSync(fixture, file);
    const sheetId = "v1SheetAaaaaaaaaaaaaa1";
    const call = (base: string, method: string, url: string, body?: unknown) => apiCall(base, method, url, body, "application/json", null);
    const old = await startServer({ storage: new SqliteStorage(file) });
    const info = await call(old.url, "GET", `/api/sheets/${sheetId}`);
    expect(info.json.tabs).toEqual([{ id: "first", name: "Sheet1", rowCount: 5, colCount: info.json.colCount }]);
    expect((await call(old.url, "GET", `/api/sheets/${sheetId}/cells?tab=Sheet1&range=A1:C3`)).json.cells.map((r: { input: string }[]) => r.map((c) => c.input))).toEqual([
      ["alpha", "", ""],
      ["", "=1+2", ""],
      ["", "", "3"],
    ]);
    expect((await call(old.url, "POST", `/api/sheets/${sheetId}/tabs`, { name: "New" })).status).toBe(201);
    await old.close();
    const again = await startServer({ storage: new SqliteStorage(file) });
    expect((await call(again.url, "GET", `/api/sheets/${sheetId}`)).json.tabs.map((t: { name: string }) => t.name)).toEqual(["Sheet1", "New"]);
    await again.close();
  });
});

describe("XLSX workbooks", () => {
  it("come in with every worksheet as a tab, formulas across them included, and go out the same", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const book = new ExcelJS.Workbook();
    const summary = book.addWorksheet("Summary");
    const data = book.addWorksheet("Q1 data");
    data.getCell("A1").value = 40;
    data.getCell("A2").value = 2;
    data.views = [{ state: "frozen", xSplit: 0, ySplit: 1 }];
    summary.getCell("A1").value = { formula: "SUM('Q1 data'!A1:A2)", result: 42 };
    summary.getCell("B1").value = { formula: "'Q1 data'!A1*2", result: 80 };
    const made = await api("POST", "/api/sheets?title=Report", new Uint8Array(await book.xlsx.writeBuffer()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(made.status).toBe(201);
    const id = made.json.id as string;
    const info = await api("GET", `/api/sheets/${id}`);
    expect([info.json.title, info.json.tabs.map((t: { name: string }) => t.name)]).toEqual(["Report", ["Summary", "Q1 data"]]);
    const cells = await api("GET", `/api/sheets/${id}/cells?range=A1:B1`);
    expect(cells.json.cells[0].map((c: { input: string; value: unknown }) => [c.input, c.value])).toEqual([
      ["=SUM('Q1 data'!A1:A2)", 42],
      ["='Q1 data'!A1*2", 80],
    ]);
    // A rename rewrites nothing: the formulas show the new name and keep their values.
    await api("PATCH", `/api/sheets/${id}/tabs/Q1%20data`, { name: "Data" });
    expect((await api("GET", `/api/sheets/${id}/cells?range=A1`)).json.cells[0][0]).toMatchObject({ input: "=SUM(Data!A1:A2)", value: 42 });

    const res = await fetch(`${server.url}/api/sheets/${id}/export.xlsx`, { headers: { authorization: `Bearer ${made.json.secret}` } });
    const out = new ExcelJS.Workbook();
    await out.xlsx.load(await res.arrayBuffer());
    expect(out.worksheets.map((w) => w.name)).toEqual(["Summary", "Data"]);
    expect(out.worksheets[0]!.getCell("A1").value).toEqual({ formula: "SUM(Data!A1:A2)", result: 42 });
    expect(out.worksheets[1]!.getCell("A1").value).toBe(40);
    expect(out.worksheets[1]!.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });

    // Imported into an existing sheet: the first worksheet at the cell, the others as new tabs.
    const into = await createSheet(server.url);
    const imported = await api("POST", `/api/sheets/${into}/import?at=B2`, new Uint8Array(await out.xlsx.writeBuffer()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(imported.json).toMatchObject({ range: "B2:C2", tabs: ["Data"] });
    expect((await api("GET", `/api/sheets/${into}/cells?range=B2`)).json.cells[0][0]).toMatchObject({ input: "=SUM(Data!A1:A2)", value: 42 });
  });
});

describe("XLSX workbooks past the limits", () => {
  it("keep their formulas on their own worksheets when a name is taken by another tab", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const id = await createSheet(server.url);
    await api("POST", `/api/sheets/${id}/tabs`, { name: "Data" });
    await api("PATCH", `/api/sheets/${id}/cells?tab=Data`, { cells: { A1: "OLD" } });
    const book = new ExcelJS.Workbook();
    book.addWorksheet("Main").getCell("A1").value = { formula: 'Data!A1&"!"', result: "NEW!" };
    book.addWorksheet("Data").getCell("A1").value = "NEW";
    const imported = await api("POST", `/api/sheets/${id}/import?newTab=`, new Uint8Array(await book.xlsx.writeBuffer()), type);
    expect(imported.json.tabs).toEqual(["Main", "Data 2"]);
    const main = await api("GET", `/api/sheets/${id}/cells?tab=Main&range=A1`);
    expect(main.json.cells[0][0]).toMatchObject({ input: "='Data 2'!A1&\"!\"", value: "NEW!" });
  });

  it("are refused whole: too many cells in all, or too many tabs, and nothing is written", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const book = new ExcelJS.Workbook();
    for (let i = 0; i < 3; i++) book.addWorksheet(`W${i}`).getCell("A380000").value = i;
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const created = await api("POST", "/api/sheets", bytes, type);
    expect([created.status, created.json.error?.code]).toEqual([413, ErrorCode.ImportTooLarge]);
    const id = await createSheet(server.url);
    const into = await api("POST", `/api/sheets/${id}/import`, bytes, type);
    expect([into.status, into.json.error?.code]).toEqual([413, ErrorCode.ImportTooLarge]);
    expect((await api("GET", `/api/sheets/${id}`)).json.tabs).toHaveLength(1);
  });
});
