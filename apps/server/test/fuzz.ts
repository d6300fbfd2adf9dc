/**
 * A seeded, bounded fuzzer of every socket event and HTTP endpoint, run against a server in its
 * own process: the test runs it for a few seconds, `pnpm bench` for longer. Every message it sends
 * is one the server must refuse with a typed error (random bytes, wrong types, well-formed updates
 * of content a sheet may not hold, pending updates, oversize strings, huge ranges), while an
 * honest client edits beside it and `/healthz` is polled throughout.
 */
import * as Y from "yjs";
import { connectSocket, ErrorCode, LIMITS, PROTOCOL_VERSION, XLSX_TYPE, type Ack, type SheetSocket } from "@cosheet/protocol";
import { CONTENT_LIMITS, Sheet } from "@cosheet/sheet";
import { prng } from "@cosheet/sheet/testing";
import { connectClient, createSheet, request, type TestClient } from "./helpers.js";

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export interface FuzzOptions {
  url: string;
  seed: number;
  /** Stop after this many messages, or after `durationMs`, whichever comes first. */
  messages?: number;
  durationMs: number;
  /** Messages per second across all fuzzing sockets and HTTP, kept under the per-address limit. */
  rate?: number;
}

export interface FuzzResult {
  sent: number;
  socketMessages: number;
  httpRequests: number;
  /** Replies that were not a typed refusal, each described once. */
  violations: string[];
  worstHealthMs: number;
  /** Slowest acknowledgement of one honest edit. */
  worstHonestMs: number;
  honestEdits: number;
  /** The fuzzed sheet as a fresh reader sees it afterwards. */
  cellsAfter: Record<string, string>;
  cellsExpected: Record<string, string>;
  /** Yjs clients whose changes the sheet holds afterwards, and those that should be there. */
  clientsAfter: number[];
  clientsExpected: number[];
}

type Rand = ReturnType<typeof prng>;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const int = (rand: Rand, max: number) => Math.floor(rand() * max);

function randomBytes(rand: Rand, max: number): Uint8Array {
  const out = new Uint8Array(1 + int(rand, max));
  for (let i = 0; i < out.length; i++) out[i] = int(rand, 256);
  return out;
}

function clientIds(doc: Y.Doc): number[] {
  return [...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()].sort((a, b) => a - b);
}

/** Well-formed Yjs updates a sheet must refuse, made against a copy of what the server holds. */
function hostileUpdate(rand: Rand, base: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const sheet = Sheet.of(doc);
  const key = sheet.keyAt(int(rand, 20), int(rand, 5))!;
  const cells = doc.getMap<unknown>("cells");
  const change = (fn: () => void) => {
    const before = Y.encodeStateVector(doc);
    fn();
    return Y.encodeStateAsUpdate(doc, before);
  };
  const wrongValues: (() => unknown)[] = [
    () => 42,
    () => true,
    () => null,
    () => ({ input: "x" }),
    () => [1, 2],
    () => new Y.Map(),
    () => new Y.Array(),
    () => new Y.Text("t"),
    () => new Uint8Array([1, 2]),
  ];
  switch (int(rand, 11)) {
    case 0:
      return change(() => cells.set(key, pick(rand, wrongValues)()));
    case 1:
      return change(() => cells.set(key, "x".repeat(CONTENT_LIMITS.cellInput + 1 + int(rand, 100_000))));
    case 2:
      return change(() => doc.getMap("meta").set("title", "t".repeat(CONTENT_LIMITS.title + 1 + int(rand, 1_000_000))));
    case 3:
      return change(() => doc.getMap(`x${int(rand, 1e6)}`).set("k", "v"));
    case 4:
      return change(() => doc.getMap("styles").set(`${key}:${pick(rand, ["fill", "color", "font"])}`, "url(http://127.0.0.1:9/x)"));
    case 5:
      return change(() => doc.getMap("meta").set(pick(rand, ["frozenRows", "owner"]), 10_000));
    case 6:
      return change(() => doc.getArray("chat").push([{ id: "x", author: "a".repeat(500), color: "red", text: "", at: "now" }]));
    case 7:
      return change(() => doc.getArray("cols").push(Array.from({ length: CONTENT_LIMITS.cols }, (_, i) => `c${i}`)));
    case 8: {
      // The first change withheld: the second would stay pending.
      change(() => sheet.setCellsA1({ A1: "withheld" }));
      return change(() => sheet.setCellsA1({ A2: "depends on it" }));
    }
    case 9: {
      // A deletion of a change the server never saw.
      change(() => sheet.setCellsA1({ B1: "unseen" }));
      return change(() => cells.delete(sheet.keyAt(0, 1)!));
    }
    default: {
      // A real update, cut short.
      const whole = change(() => sheet.setCellsA1({ C3: "cut" }));
      return whole.slice(0, Math.max(1, int(rand, whole.length - 1)));
    }
  }
}

function syncMessage(type: number, payload: Uint8Array): Uint8Array {
  // varUint type (< 128) then varUint8Array payload
  const len: number[] = [];
  let n = payload.length;
  while (n > 127) {
    len.push((n & 127) | 128);
    n >>>= 7;
  }
  len.push(n);
  return new Uint8Array([type, ...len, ...payload]);
}

/** One hostile socket event: its name and payload. */
function hostileEvent(rand: Rand, sheetId: string, base: Uint8Array): [string, unknown] {
  const wrong = () => pick(rand, [null, 7, "text", [], {}, { sheetId: 5 }, true, { sheetId, update: "AAEC" }]);
  switch (int(rand, 12)) {
    case 0:
      return ["sheet:join", pick(rand, [wrong(), { sheetId: "bad/../id", protocolVersion: PROTOCOL_VERSION }, { sheetId, protocolVersion: "1" }, { sheetId, protocolVersion: PROTOCOL_VERSION + 1 }, { sheetId: "A".repeat(LIMITS.sheetIdLength), protocolVersion: PROTOCOL_VERSION }, { sheetId, protocolVersion: PROTOCOL_VERSION, token: "t".repeat(10_000) }])];
    case 1:
    case 2:
    case 3:
      return ["sheet:update", { sheetId, update: hostileUpdate(rand, base) }];
    case 4:
      return ["sheet:update", pick(rand, [wrong(), { sheetId, update: randomBytes(rand, 64) }, { sheetId, update: new Uint8Array(LIMITS.maxUpdateBytes + 1) }])];
    case 5:
      return ["sheet:sync", { sheetId, message: syncMessage(pick(rand, [1, 2]), hostileUpdate(rand, base)) }];
    case 6:
      return ["sheet:sync", pick(rand, [wrong(), { sheetId, message: randomBytes(rand, 32) }, { sheetId, message: syncMessage(0, randomBytes(rand, 16)) }, { sheetId, message: new Uint8Array([9, 9]) }])];
    case 7:
      return ["awareness:update", pick(rand, [wrong(), { sheetId, update: randomBytes(rand, 48) }])];
    case 8:
      return ["chat:direct", pick(rand, [wrong(), { sheetId, to: -1, text: "x" }, { sheetId, to: 123456789, text: "hello" }, { sheetId, to: 1, text: "x".repeat(LIMITS.maxChatLength + 1) }, { sheetId, to: 1, text: "   " }])];
    case 9:
      return ["sheet:leave", wrong()];
    case 10:
      return ["sheet:update", { sheetId: "B".repeat(LIMITS.sheetIdLength), update: new Uint8Array([0, 0]) }];
    default:
      return [pick(rand, ["sheet:delete", "admin", "__proto__", "constructor"]), { sheetId }];
  }
}

/** One hostile HTTP request: method, path and body. */
function hostileRequest(rand: Rand, sheetId: string): { method: string; path: string; type?: string; body?: string | Uint8Array } {
  const s = `/api/sheets/${sheetId}`;
  switch (int(rand, 12)) {
    case 0:
      return { method: "GET", path: pick(rand, ["/api/sheets/%E0%A4%A", "/api/sheets/short", `/api/sheets/${"A".repeat(LIMITS.sheetIdLength)}`, "/api/sheets/..%2F..%2Fetc", "/api/nothing"]) };
    case 1:
      return { method: "GET", path: `${s}/cells?range=${pick(rand, ["A1:XFD1048576", "A:XFD", "1:1048576", "ZZZZ9", "A1:", "A0", "A1&range=B2", "%00", "A1:Z10000", "B2:A1:C3"])}` };
    case 2:
      return { method: "PATCH", path: `${s}/cells`, type: "application/json", body: JSON.stringify(pick(rand, [{ cells: { XFD1048576: "x" } }, { cells: { A1: 1 } }, { cells: { A1: "x".repeat(LIMITS.maxCellInputLength + 1) } }, { cells: { "not a cell": "x" } }, { cells: [] }, { cells: null }, {}, { cells: { A1: "x" }, extra: 1 }, []])) };
    case 3:
      return { method: "PATCH", path: `${s}/cells`, type: "application/json", body: pick(rand, ["{", "null", '"cells"', "{\"cells\":{\"A1\":\"x\"}".repeat(2)]) };
    case 4:
      return { method: "PATCH", path: `${s}/cells`, type: pick(rand, ["text/plain", "application/x-www-form-urlencoded", "application/xml"]), body: "cells=x" };
    case 5:
      return { method: "POST", path: `${s}/import?at=${pick(rand, ["XFD1048576", "A0", "B2&at=C3", "zz"])}`, type: "text/csv", body: "a,b\n1,2" };
    case 6:
      return { method: "POST", path: `${s}/import`, type: "text/csv", body: pick(rand, ['"unclosed,quote\n1,2', `${",".repeat(LIMITS.maxImportCells + 1)}`]) };
    case 7:
      return { method: "POST", path: `${s}/import`, type: XLSX_TYPE, body: randomBytes(rand, 2048) };
    case 8:
      return { method: "POST", path: "/api/sheets", type: pick(rand, ["application/x-www-form-urlencoded", "application/xml", "application/json"]), body: pick(rand, ["title=x", "<x/>", '{"title":""}', `{"title":"${"t".repeat(LIMITS.maxTitleLength + 1)}"}`, '{"title":5}', '{"owner":"me"}']) };
    case 9:
      return { method: "GET", path: `${s}/export.csv?neutralize=${pick(rand, ["maybe", "1&neutralize=0"])}` };
    case 10:
      return { method: pick(rand, ["DELETE", "PUT"]), path: pick(rand, [s, `${s}/cells`]) };
    default:
      return { method: "POST", path: `${s}/cells?range=A1`, type: "application/json", body: "{}" };
  }
}

async function connected(url: string): Promise<SheetSocket> {
  const socket = connectSocket(url, { forceNew: true });
  await new Promise((r) => socket.once("connect", () => r(null)));
  return socket;
}

/** Acks that carry no verdict: the event is fire-and-forget or unknown, so no reply comes. */
const NO_ACK_MS = 1_500;

function emitWithTimeout(socket: SheetSocket, event: string, payload: unknown): Promise<Ack<unknown> | "no reply"> {
  return Promise.race([
    request<Ack<unknown>>(socket, event, payload),
    new Promise<"no reply">((r) => setTimeout(() => r("no reply"), NO_ACK_MS)),
  ]);
}

/** Runs the fuzzer against a server; see {@link FuzzResult}. Sends no more than `rate` a second. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { url, seed, durationMs } = options;
  const rate = options.rate ?? 200;
  const rand = prng(seed);
  const sheetId = await createSheet(url, "Fuzzed");
  const honest: TestClient = connectClient(url, sheetId, { socket: { forceNew: true } });
  await honest.provider.whenSynced();
  honest.sheet.setCellsA1({ A1: "honest", B2: "=1+1" });
  await honest.provider.whenSaved();
  const base = Y.encodeStateAsUpdate(honest.doc);

  const result: FuzzResult = {
    sent: 0,
    socketMessages: 0,
    httpRequests: 0,
    violations: [],
    worstHealthMs: 0,
    worstHonestMs: 0,
    honestEdits: 0,
    cellsAfter: {},
    cellsExpected: {},
    clientsAfter: [],
    clientsExpected: [],
  };
  const seen = new Set<string>();
  const violation = (what: string) => {
    if (!seen.has(what)) result.violations.push(what);
    seen.add(what);
  };

  // Sockets that each joined the sheet (some events need that to reach the checks past it).
  const sockets: SheetSocket[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = await connected(url);
    await request(socket, "sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION });
    sockets.push(socket);
  }

  let running = true;
  const deadline = Date.now() + durationMs;
  const health = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.text();
      result.worstHealthMs = Math.max(result.worstHealthMs, performance.now() - t);
      if (res.status !== 200) violation(`/healthz answered ${res.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const editing = (async () => {
    for (let i = 0; running; i++) {
      const t = performance.now();
      honest.sheet.setCellsA1({ [`D${1 + (i % 50)}`]: `edit ${i}` });
      await honest.provider.whenSaved();
      result.worstHonestMs = Math.max(result.worstHonestMs, performance.now() - t);
      result.honestEdits++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const inFlight = new Set<Promise<void>>();
  const gap = 1000 / rate;
  const messages = options.messages ?? Infinity;
  while (Date.now() < deadline && result.sent < messages) {
    const started = performance.now();
    let job: Promise<void>;
    if (rand() < 0.25) {
      const req = hostileRequest(rand, sheetId);
      result.httpRequests++;
      job = (async () => {
        const res = await fetch(`${url}${req.path}`, {
          method: req.method,
          headers: req.type ? { "content-type": req.type } : {},
          body: req.body as string | Uint8Array<ArrayBuffer> | undefined,
        });
        const text = await res.text();
        let code: unknown = null;
        try {
          code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        } catch {
          // not JSON: a violation below
        }
        const label = `${req.method} ${req.path.slice(0, 80)}`;
        if (res.status < 400 || res.status >= 500) violation(`${label} answered ${res.status}`);
        else if (typeof code !== "string" || !CODES.has(code)) violation(`${label} answered ${res.status} without a typed error`);
      })();
    } else {
      const [event, payload] = hostileEvent(rand, sheetId, base);
      const i = int(rand, sockets.length);
      result.socketMessages++;
      job = (async () => {
        if (sockets[i]!.disconnected) {
          sockets[i] = await connected(url);
          await request(sockets[i]!, "sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION });
        }
        const reply = await emitWithTimeout(sockets[i]!, event, payload);
        if (reply === "no reply") {
          // Unknown events have no handler; everything else must answer.
          if (event.startsWith("sheet:") && event !== "sheet:delete") violation(`${event} got no reply`);
        } else if (reply.ok) {
          if (event !== "sheet:leave") violation(`${event} was accepted`);
        } else if (!CODES.has(reply.error.code)) {
          violation(`${event} answered an untyped error ${String(reply.error.code)}`);
        }
      })();
    }
    result.sent++;
    const tracked = job.catch((err: unknown) => violation(`the fuzzer failed: ${String(err)}`)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= 16) await Promise.race(inFlight);
    const wait = gap - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
  running = false;
  await Promise.all([health, editing]);
  for (const socket of sockets) socket.disconnect();

  const reader = connectClient(url, sheetId, { socket: { forceNew: true } });
  await reader.provider.whenSynced();
  result.cellsAfter = reader.sheet.toA1Record();
  result.cellsExpected = honest.sheet.toA1Record();
  result.clientsAfter = clientIds(reader.doc);
  // The server made the sheet; the honest client wrote to it; nobody else may have.
  const made = Y.decodeUpdate(base).structs.map((s) => s.id.client);
  result.clientsExpected = [...new Set([...made, honest.doc.clientID])].sort((a, b) => a - b);
  reader.close();
  honest.close();
  return result;
}
