import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSocket, ErrorCode, LIMITS, PROTOCOL_VERSION, type Ack, type SheetSocket } from "@cosheet/protocol";
import { CONTENT_LIMITS, initSheet, INVALID_INPUT, Sheet } from "@cosheet/sheet";
import { newSheetId } from "../src/registry/registry.js";
import { apiCall, connectClient, createSheet, eventually, ownerSecret, request, startServer, type TestServer } from "./helpers.js";

// One regression test for each way a crafted client or request broke the server before.

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server.close();
});

const api = (method: string, url: string, body?: string, type?: string) => apiCall(server.url, method, url, body, type);

async function info(id: string): Promise<{ rowCount: number; colCount: number }> {
  return (await api("GET", `/api/sheets/${id}`)).json;
}

/** A raw socket joined to a sheet, and a document that holds what the server holds. */
async function crafted(sheetId: string): Promise<{ socket: SheetSocket; doc: Y.Doc; close(): void }> {
  const socket = connectSocket(server.url);
  await new Promise((r) => socket.once("connect", () => r(null)));
  const joined = await request<Ack<unknown>>(socket, "sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(sheetId) });
  expect(joined.ok).toBe(true);
  const reader = connectClient(server.url, sheetId);
  await reader.provider.whenSynced();
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(reader.doc));
  reader.close();
  return { socket, doc, close: () => socket.disconnect() };
}

function updateOf(doc: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change();
  return Y.encodeStateAsUpdate(doc, before);
}

function code(ack: Ack<unknown>): string | null {
  return ack.ok ? null : ack.error.code;
}

describe("1. a far write cannot grow a sheet without bound, and reads are bounded", () => {
  it("refuses XFD1048576 and reads past the read limit; the sheet keeps its size", async () => {
    const id = await createSheet(server.url);
    const far = await api("PATCH", `/api/sheets/${id}/cells`, JSON.stringify({ cells: { XFD1048576: "x" } }));
    expect(far.status).toBe(400);
    expect(far.json.error.code).toBe(ErrorCode.InvalidRange);
    expect(await info(id)).toMatchObject({ rowCount: 1000, colCount: 26 });
    const wide = await api("GET", `/api/sheets/${id}/cells?range=A1:Z10000`);
    expect(wide.status).toBe(400);
    expect(wide.json.error.code).toBe(ErrorCode.InvalidRange);
    expect((await api("GET", `/api/sheets/${id}/export.csv`)).status).toBe(200);
    expect((await api("GET", `/api/sheets/${id}/cells?range=A1:Z3000`)).status).toBe(200);
  });
});

describe("2. an update that cannot be applied is not acknowledged or kept", () => {
  it("answers OUT_OF_SYNC to an update whose first change was withheld, and keeps nothing of it", async () => {
    const id = await createSheet(server.url);
    const c = await crafted(id);
    const sheet = Sheet.of(c.doc);
    const withheld = updateOf(c.doc, () => sheet.setCellsA1({ A1: "first" }));
    const later = updateOf(c.doc, () => sheet.setCellsA1({ A2: "second" }));
    const ack = await request<Ack<unknown>>(c.socket, "sheet:update", { sheetId: id, update: later });
    expect(code(ack)).toBe(ErrorCode.OutOfSync);
    const deletion = updateOf(c.doc, () => c.doc.getMap("cells").delete(sheet.keyAt(0, 0)!));
    expect(code(await request<Ack<unknown>>(c.socket, "sheet:update", { sheetId: id, update: deletion }))).toBe(ErrorCode.OutOfSync);
    const room = server.app.registry;
    await room.use(id, (r) => {
      expect(r.doc.store.pendingStructs).toBeNull();
      expect(r.doc.store.pendingDs).toBeNull();
    });
    expect((await request<Ack<unknown>>(c.socket, "sheet:update", { sheetId: id, update: withheld })).ok).toBe(true);
    expect((await request<Ack<unknown>>(c.socket, "sheet:update", { sheetId: id, update: later })).ok).toBe(true);
    expect((await api("GET", `/api/sheets/${id}/cells?range=A1:A2`)).json.cells.map((r: any[]) => r[0].input)).toEqual(["first", "second"]);
    c.close();
  });
});

describe("3 and 4. wrong value types and over-long values are refused on the socket as over HTTP", () => {
  it("refuses numbers, maps and objects as cells, a million-character title or cell; the sheet reads fine after", async () => {
    const id = await createSheet(server.url);
    const c = await crafted(id);
    const key = Sheet.of(c.doc).keyAt(0, 0)!;
    const attempts: ((doc: Y.Doc) => void)[] = [
      (d) => d.getMap("cells").set(key, 42),
      (d) => d.getMap("cells").set(key, new Y.Map()),
      (d) => d.getMap("cells").set(key, { input: "x" }),
      (d) => d.getMap("cells").set(key, "x".repeat(1_000_000)),
      (d) => d.getMap("meta").set("title", "t".repeat(1_000_000)),
    ];
    for (const attempt of attempts) {
      // Each attempt starts from what the server holds.
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(c.doc));
      const ack = await request<Ack<unknown>>(c.socket, "sheet:update", { sheetId: id, update: updateOf(doc, () => attempt(doc)) });
      expect(code(ack)).toBe(ErrorCode.InvalidContent);
    }
    const read = await api("GET", `/api/sheets/${id}/cells?range=A1`);
    expect(read.status).toBe(200);
    expect(read.json.cells[0][0].input).toBe("");
    expect((await api("GET", `/api/sheets/${id}`)).json.title).toBe("Untitled sheet");
    for (const format of ["csv", "xlsx"]) expect((await api("GET", `/api/sheets/${id}/export.${format}`)).status).toBe(200);
    c.close();
  });
});

describe("no wipe by a race", () => {
  it("adds a row and a column back when two people delete all the others at once", async () => {
    const id = await createSheet(server.url);
    const watcher = connectClient(server.url, id);
    await watcher.provider.whenSynced();
    const [a, b] = [await crafted(id), await crafted(id)];
    const rowsA = updateOf(a.doc, () => Sheet.of(a.doc).deleteRows(0, 500));
    const rowsB = updateOf(b.doc, () => Sheet.of(b.doc).deleteRows(500, 500));
    const colsA = updateOf(a.doc, () => Sheet.of(a.doc).deleteCols(0, 13));
    const colsB = updateOf(b.doc, () => Sheet.of(b.doc).deleteCols(13, 13));
    for (const [c, update] of [[a, rowsA], [b, rowsB], [a, colsA], [b, colsB]] as const) {
      expect((await request<Ack<unknown>>(c.socket, "sheet:update", { sheetId: id, update })).ok).toBe(true);
    }
    expect(await info(id)).toMatchObject({ rowCount: 1, colCount: 1 });
    await eventually(() => expect([watcher.sheet.rowCount, watcher.sheet.colCount]).toEqual([1, 1]));
    a.close();
    b.close();
    watcher.close();
  });
});

describe("8. malformed URLs, bodies of the wrong type and duplicated parameters", () => {
  it("answers typed 4xx and creates nothing", async () => {
    const bad = await api("GET", "/api/sheets/%E0%A4%A");
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe(ErrorCode.BadRequest);
    for (const [body, type] of [
      ["title=x", "application/x-www-form-urlencoded"],
      ["<sheet><title>x</title></sheet>", "application/xml"],
    ] as const) {
      const made = await api("POST", "/api/sheets", body, type);
      expect(made.status).toBe(415);
      expect(made.json.error.code).toBe(ErrorCode.UnsupportedMediaType);
    }
    const id = await createSheet(server.url);
    const twice = await api("GET", `/api/sheets/${id}/cells?range=A1&range=B2`);
    expect(twice.status).toBe(400);
    expect(twice.json.error.code).toBe(ErrorCode.BadRequest);
    const atTwice = await api("POST", `/api/sheets/${id}/import?at=B2&at=C3`, "a,b", "text/csv");
    expect(atTwice.status).toBe(400);
    expect((await api("GET", `/api/sheets/${id}/cells?range=B2:C3`)).json.cells.flat().every((c: { input: string }) => c.input === "")).toBe(true);
  });

  it("refuses a PATCH past its cell limit before reading it cell by cell", async () => {
    const id = await createSheet(server.url);
    const cells: Record<string, string> = {};
    for (let i = 1; i <= LIMITS.maxPatchCells + 1; i++) cells[`A${i}`] = "";
    const res = await api("PATCH", `/api/sheets/${id}/cells`, JSON.stringify({ cells }));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe(ErrorCode.ImportTooLarge);
  });
});

describe("a sheet the previous release stored with wrong-typed values", () => {
  it("opens, shows an error value in that cell, exports, and is repaired by typing", async () => {
    // What the previous release accepted and stored: a number, an object and a nested map as cells.
    const id = newSheetId();
    const doc = new Y.Doc();
    initSheet(doc);
    const sheet = Sheet.of(doc);
    const cells = doc.getMap<unknown>("cells");
    cells.set(sheet.keyAt(0, 0)!, 42);
    cells.set(sheet.keyAt(0, 1)!, { input: "x" });
    cells.set(sheet.keyAt(0, 2)!, new Y.Map());
    sheet.setCellsA1({ A2: "=A1+1", B2: "fine" });
    doc.getMap("meta").set("title", "t".repeat(CONTENT_LIMITS.title * 50));
    await server.storage.create(id, Y.encodeStateAsUpdate(doc), { plainAddress: true, links: [] });

    const read = await api("GET", `/api/sheets/${id}/cells?range=A1:C2`);
    expect(read.status).toBe(200);
    expect(read.json.cells[0].map((c: { text: string }) => c.text)).toEqual([INVALID_INPUT, INVALID_INPUT, INVALID_INPUT]);
    expect(read.json.cells[0][0].value).toEqual({ error: INVALID_INPUT });
    expect(read.json.cells[1][0].text).toBe(INVALID_INPUT);
    expect(read.json.cells[1][1].text).toBe("fine");
    const csv = await api("GET", `/api/sheets/${id}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.split("\r\n")[0]).toBe([INVALID_INPUT, INVALID_INPUT, INVALID_INPUT].join(","));
    const xlsx = await api("GET", `/api/sheets/${id}/export.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-disposition")!.length).toBeLessThan(400);

    const client = connectClient(server.url, id);
    await client.provider.whenSynced();
    expect(client.sheet.getInput(0, 0)).toBe(INVALID_INPUT);
    client.sheet.setCellsA1({ A1: "41" });
    await client.provider.whenSaved();
    const fixed = await api("GET", `/api/sheets/${id}/cells?range=A1:A2`);
    expect(fixed.json.cells.map((r: { value: unknown }[]) => r[0]!.value)).toEqual([41, 42]);
    client.close();
  });
});
