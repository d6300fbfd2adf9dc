import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSocket, ErrorCode, LIMITS, PROTOCOL_VERSION, type Ack, type SheetSocket } from "@cosheet/protocol";
import { ROOT_RULES } from "@cosheet/sheet";
import { connectClient, createSheet, eventually, ownerSecret, request, startServer, type TestClient, type TestServer } from "./helpers.js";

let server: TestServer;
let sheetId: string;
let honest: TestClient;
let raw: SheetSocket;

beforeAll(async () => {
  server = await startServer();
  sheetId = await createSheet(server.url);
  honest = connectClient(server.url, sheetId);
  await honest.provider.whenSynced();
  honest.sheet.setCellsA1({ A1: "before" });
  await honest.provider.whenSaved();
  raw = connectSocket(server.url);
  await new Promise((r) => raw.once("connect", () => r(null)));
});

afterAll(async () => {
  honest.close();
  raw.disconnect();
  await server.close();
});

function errorCode(ack: Ack<unknown>): string | null {
  return ack.ok ? null : ack.error.code;
}

async function join(): Promise<void> {
  const ack = await request<Ack<unknown>>(raw, "sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(sheetId) });
  expect(ack.ok).toBe(true);
}

/** The sheet as the server holds it, read by a fresh client: its cells and its shared types. */
async function served(): Promise<{ cells: Record<string, string>; types: string[] }> {
  const fresh = connectClient(server.url, sheetId);
  await fresh.provider.whenSynced();
  const result = { cells: fresh.sheet.toA1Record(), types: [...fresh.doc.share.keys()].sort() };
  fresh.close();
  return result;
}

describe("bad input gets a typed error and changes nothing", () => {
  it("bad and unknown sheet ids, old protocol versions", async () => {
    for (const bad of ["../../etc/passwd", "short", "x".repeat(23), "'; DROP TABLE sheets;--aa", 42, null]) {
      const ack = await request<Ack<unknown>>(raw, "sheet:join", { sheetId: bad, protocolVersion: PROTOCOL_VERSION });
      expect(errorCode(ack)).toBe(ErrorCode.InvalidSheetId);
    }
    const unknown = await request<Ack<unknown>>(raw, "sheet:join", {
      sheetId: "A".repeat(LIMITS.sheetIdLength),
      protocolVersion: PROTOCOL_VERSION,
    });
    expect(errorCode(unknown)).toBe(ErrorCode.NotFound);
    const old = await request<Ack<unknown>>(raw, "sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION + 1 });
    expect(errorCode(old)).toBe(ErrorCode.UnsupportedProtocol);
  });

  it("an update before joining", async () => {
    const doc = new Y.Doc();
    doc.getMap("cells").set("x:y", "z");
    const ack = await request<Ack<unknown>>(raw, "sheet:update", { sheetId, update: Y.encodeStateAsUpdate(doc) });
    expect(errorCode(ack)).toBe(ErrorCode.NotJoined);
  });

  it("wrong payload types", async () => {
    await join();
    for (const payload of [null, "text", 7, [], { sheetId }, { sheetId, update: "AAEC" }, { sheetId, update: [1, 2] }]) {
      const ack = await request<Ack<unknown>>(raw, "sheet:update", payload);
      expect(errorCode(ack)).toBe(ErrorCode.BadRequest);
    }
    // An event without an ack callback must not crash anything either.
    raw.emit("sheet:update", { sheetId, update: new Uint8Array([1]) } as never, undefined as never);
    const sync = await request<Ack<unknown>>(raw, "sheet:sync", { sheetId, message: 12 });
    expect(errorCode(sync)).toBe(ErrorCode.BadRequest);
  });

  it("malformed update bytes and foreign shared types", async () => {
    await join();
    const garbage = [new Uint8Array([255, 255, 255, 255, 255]), new Uint8Array([0]), new Uint8Array([1, 2, 3, 4, 5, 6, 7])];
    for (const update of garbage) {
      const ack = await request<Ack<unknown>>(raw, "sheet:update", { sheetId, update });
      expect(errorCode(ack)).toBe(ErrorCode.MalformedUpdate);
    }
    const foreign = new Y.Doc();
    foreign.getMap("not-a-sheet-type").set("k", "v");
    const ack = await request<Ack<unknown>>(raw, "sheet:update", { sheetId, update: Y.encodeStateAsUpdate(foreign) });
    expect(errorCode(ack)).toBe(ErrorCode.InvalidContent);
    const badSync = await request<Ack<unknown>>(raw, "sheet:sync", { sheetId, message: new Uint8Array([9, 1, 2]) });
    expect(errorCode(badSync)).toBe(ErrorCode.MalformedUpdate);
    const badVector = await request<Ack<unknown>>(raw, "sheet:sync", { sheetId, message: new Uint8Array([0, 5, 255, 255]) });
    expect(errorCode(badVector)).toBe(ErrorCode.MalformedUpdate);
    const badAwareness = await request<Ack<unknown>>(raw, "awareness:update", { sheetId, update: new Uint8Array([7, 7]) });
    expect(badAwareness === undefined || errorCode(badAwareness) === ErrorCode.MalformedUpdate).toBe(true);
  });

  it("an oversize update", async () => {
    await join();
    const update = new Uint8Array(LIMITS.maxUpdateBytes + 1);
    const ack = await request<Ack<unknown>>(raw, "sheet:update", { sheetId, update });
    expect(errorCode(ack)).toBe(ErrorCode.UpdateTooLarge);
    expect(raw.connected).toBe(true);
  });

  it("after all that, the sheet is unchanged and everyone still edits and syncs", async () => {
    expect(await served()).toEqual({ cells: { A1: "before" }, types: Object.keys(ROOT_RULES).sort() });
    const other = connectClient(server.url, sheetId);
    await other.provider.whenSynced();
    honest.sheet.setCellsA1({ B1: "after" });
    await eventually(() => expect(other.sheet.toA1Record()).toEqual({ A1: "before", B1: "after" }));
    other.close();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("too many events in a burst are refused, not fatal", async () => {
    const acks = await Promise.all(
      Array.from({ length: LIMITS.eventsBurst + 50 }, () =>
        request<Ack<unknown>>(raw, "sheet:leave", { sheetId: "B".repeat(LIMITS.sheetIdLength) }),
      ),
    );
    expect(acks.filter((a) => errorCode(a) === ErrorCode.RateLimited).length).toBeGreaterThan(0);
    expect(raw.connected).toBe(true);
  });
});
