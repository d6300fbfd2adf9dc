/**
 * A seeded, bounded fuzzer of every socket event and HTTP endpoint, run against a server in its
 * own process: the test runs it for a few seconds, `pnpm bench` for longer. Every message it sends
 * is one the server must refuse with a typed error (random bytes, wrong types, well-formed updates
 * of content a sheet may not hold, pending updates, oversize strings, huge ranges, link requests
 * that need the owner, wrong or malformed secrets), while an honest client edits beside it and
 * `/healthz` is polled throughout. It runs as one role: its sockets join with a link of that role
 * and its requests carry the link's secret. Before it starts, well-formed writes check the role
 * itself: those the role may make are accepted, the others refused as FORBIDDEN.
 */
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import {
  connectSocket,
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  ROLES,
  roleAtLeast,
  XLSX_TYPE,
  type Ack,
  type JoinResult,
  type NewLink,
  type Role,
  type SheetSocket,
} from "@cosheet/protocol";
import { CONTENT_LIMITS, postMessage, Sheet, sheetTypes } from "@cosheet/sheet";
import { prng } from "@cosheet/sheet/testing";
import { apiCall, bearer, connectClient, createSheet, ownerSecret, request, type TestClient } from "./helpers.js";

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * The roles the fuzzer runs as. Not the owner: it may do what the fuzzer's link requests try
 * (make links, switch the plain address on), which for every other role must be refused.
 */
export const FUZZ_ROLES = ["view", "comment", "edit"] as const satisfies readonly Role[];
export type FuzzRole = (typeof FUZZ_ROLES)[number];

/**
 * Wrong secrets one run tries, by joins and by requests. Each counts against the address's
 * failed-secret limit (`LIMITS.failedSecretsPerMinutePerAddress` at the default settings, which the
 * fuzzer runs with), and past it the server refuses every secret from the address, valid ones too:
 * this many leave room for the three roles' runs against one server within a minute, the honest
 * clients still let in.
 */
const WRONG_SECRETS = { join: 2, request: 3 };

export interface FuzzOptions {
  url: string;
  seed: number;
  /** The role of the link the fuzzing sockets join with and the fuzzing requests carry. */
  role: FuzzRole;
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
  /** The fuzzed sheet as a fresh reader sees it afterwards, and as the honest client does. */
  cellsAfter: Record<string, string>;
  cellsExpected: Record<string, string>;
  /**
   * Every shared type of the fuzzed sheet (cells, rows, cols, styles, meta, chat...) as a fresh
   * reader sees it afterwards, and as it should be: what the sheet held, the honest edits, and the
   * crafted writes the role may make. A viewer changes nothing; a commenter only the chat.
   */
  documentAfter: Record<string, unknown>;
  documentExpected: Record<string, unknown>;
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

/** A document's shared types as plain data, to compare. */
function contents(doc: Y.Doc): Record<string, unknown> {
  return Object.fromEntries(Object.entries(sheetTypes(doc)).map(([name, type]) => [name, type.toJSON()]));
}

/** A copy of what the server holds, and `change`, which makes an update of changes to the copy. */
function copyOf(base: Uint8Array) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const change = (fn: () => void) => {
    const before = Y.encodeStateVector(doc);
    fn();
    return Y.encodeStateAsUpdate(doc, before);
  };
  return { doc, change };
}

/** Well-formed Yjs updates a sheet must refuse, made against a copy of what the server holds. */
function hostileUpdate(rand: Rand, base: Uint8Array): Uint8Array {
  const { doc, change } = copyOf(base);
  const sheet = Sheet.of(doc);
  const key = sheet.keyAt(int(rand, 20), int(rand, 5))!;
  const cells = doc.getMap<unknown>("cells");
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
      return change(() => doc.getMap("styles").set(`${key}:${pick(rand, ["fill", "color", "font", "fontSize", "valign", "wrap"])}`, "url(http://127.0.0.1:9/x)"));
    case 5:
      return change(() => doc.getMap("meta").set(pick(rand, ["frozenRows", "dateOrder", "owner", "filter", "filter:f1:c1", "merge:r1:c1"]), 10_000));
    case 6:
      return change(() => doc.getArray("chat").push([{ id: "x", author: "a".repeat(500), color: "red", text: "", at: "now" }]));
    case 7:
      return rand() < 0.5
        ? change(() => doc.getArray("cols").push(Array.from({ length: CONTENT_LIMITS.cols }, (_, i) => `c${i}`)))
        : change(() => doc.getMap("rowHeights").set(key.split(":")[0]!, pick(rand, [-1, 0.5, 1e9, "tall"])));
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

/** What the hostile messages aim at. */
interface Target {
  sheetId: string;
  /** What the server held of the sheet when the fuzzing began, for updates made against it. */
  base: Uint8Array;
  /** The link of the role the fuzzer runs as. */
  link: { id: string; secret: string };
  /** A secret that opens nothing in the sheet, while the run may still try one (see WRONG_SECRETS). */
  wrongSecret(via: keyof typeof WRONG_SECRETS): string | undefined;
}

/** One hostile socket event: its name and payload. */
function hostileEvent(rand: Rand, { sheetId, base, link, wrongSecret }: Target): [string, unknown] {
  const wrong = () => pick(rand, [null, 7, "text", [], {}, { sheetId: 5 }, true, { sheetId, update: "AAEC" }]);
  switch (int(rand, 13)) {
    case 0: {
      const secret = int(rand, 4) === 0 ? wrongSecret("join") : undefined;
      if (secret !== undefined) return ["sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION, secret }];
      // The plain address (no secret) opens nothing here: the sheet was made with links.
      return ["sheet:join", pick(rand, [wrong(), { sheetId: "bad/../id", protocolVersion: PROTOCOL_VERSION }, { sheetId, protocolVersion: "1" }, { sheetId, protocolVersion: PROTOCOL_VERSION + 1 }, { sheetId: "A".repeat(LIMITS.sheetIdLength), protocolVersion: PROTOCOL_VERSION }, { sheetId: "A".repeat(LIMITS.sheetIdLength), protocolVersion: PROTOCOL_VERSION, secret: link.secret }, { sheetId, protocolVersion: PROTOCOL_VERSION, secret: "t".repeat(10_000) }, { sheetId, protocolVersion: PROTOCOL_VERSION }])];
    }
    case 1:
    case 2:
    case 3:
      return ["sheet:update", { sheetId, update: hostileUpdate(rand, base) }];
    case 4:
      return ["sheet:update", pick(rand, [wrong(), { sheetId, update: randomBytes(rand, 64) }, { sheetId, update: new Uint8Array(LIMITS.maxUpdateBytes + 1) }])];
    case 5:
      return ["sheet:sync", { sheetId, message: syncMessage(pick(rand, [1, 2]), hostileUpdate(rand, base)) }];
    case 6:
      return ["sheet:sync", pick(rand, [wrong(), { sheetId, message: randomBytes(rand, 32) }, { sheetId, message: syncMessage(0, randomBytes(rand, 16)) }, { sheetId, message: new Uint8Array([9, 9]) }, { sheetId, message: syncMessage(0, new Uint8Array([5, 1])), parts: true }, { sheetId, message: syncMessage(0, new Uint8Array([0])), parts: "yes" }, { sheetId, message: syncMessage(0, new Uint8Array([0])), parts: true, compression: "gzip" }])];
    case 7:
      return ["awareness:update", pick(rand, [wrong(), { sheetId, update: randomBytes(rand, 48) }])];
    case 8:
      return ["chat:direct", pick(rand, [wrong(), { sheetId, to: -1, text: "x" }, { sheetId, to: 123456789, text: "hello" }, { sheetId, to: 1, text: "x".repeat(LIMITS.maxChatLength + 1) }, { sheetId, to: 1, text: "   " }])];
    case 9:
      return ["sheet:leave", wrong()];
    case 10:
      return ["sheet:update", { sheetId: "B".repeat(LIMITS.sheetIdLength), update: new Uint8Array([0, 0]) }];
    case 11:
      // Comment events that are malformed, or that act on threads and cells that are not there.
      return [
        "comment:post",
        pick(rand, [
          wrong(),
          { sheetId, comment: wrong() },
          { sheetId, comment: { id: "c1", action: "reply", thread: "nothread", text: "hi" } },
          { sheetId, comment: { id: "c2", action: "edit", thread: "nothread", target: "nothread", text: "hi" } },
          { sheetId, comment: { id: "c3", action: "open", thread: "c3", rowId: "norow", colId: "nocol", text: "hi" } },
          { sheetId, comment: { id: "c4", action: "open", thread: "other", rowId: "r", colId: "c", text: "hi" } },
          { sheetId, comment: { id: "c5", action: "resolve", thread: "c5", author: "Forged", person: "x", at: 1 } },
          { sheetId, comment: { id: "c6".repeat(40), action: "reply", thread: "t", text: "x".repeat(6000) } },
        ]),
      ];
    default:
      return [pick(rand, ["sheet:delete", "admin", "__proto__", "constructor"]), { sheetId }];
  }
}

/** One hostile HTTP request: method, path and body. */
function hostileRequest(rand: Rand, { sheetId, link }: Target): { method: string; path: string; type?: string; body?: string | Uint8Array } {
  const s = `/api/sheets/${sheetId}`;
  switch (int(rand, 15)) {
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
      return { method: "POST", path: "/api/sheets", type: pick(rand, ["application/x-www-form-urlencoded", "application/xml", "application/json"]), body: pick(rand, ["title=x", "<x/>", '{"title":""}', '{"title":"a\\u0000b"}', `{"title":"${"t".repeat(LIMITS.maxTitleLength + 1)}"}`, '{"title":5}', '{"owner":"me"}']) };
    case 9:
      return { method: "GET", path: `${s}/export.csv?${pick(rand, ["neutralize=maybe", "neutralize=1&neutralize=0", "values=formulas", "values=inputs&values=shown"])}` };
    case 10:
      return { method: pick(rand, ["DELETE", "PUT"]), path: pick(rand, [s, `${s}/cells`]) };
    case 11:
      // A sheet's links are its owner's to manage: a link of any other role may not list them,
      // make one (an owner link least of all), revoke one (its own) or open the plain address.
      return pick(rand, [
        { method: "GET", path: `${s}/links` },
        { method: "POST", path: `${s}/links`, type: "application/json", body: JSON.stringify({ role: pick(rand, ROLES), label: pick(rand, ["Fuzz", "a\u0000b"]) }) },
        { method: "DELETE", path: `${s}/links/${link.id}` },
        { method: "PUT", path: `${s}/plain-address`, type: "application/json", body: '{"enabled":true}' },
      ]);
    case 12:
      // History: versions that do not exist, malformed names and cells, bodies of the wrong shape
      // (never a valid name or restore, which an edit link may make).
      return pick(rand, [
        { method: "GET", path: `${s}/cells?version=${pick(rand, ["999999999", "nope", "1&version=2", "", "-1", "1e9", "%00"])}` },
        { method: "GET", path: `${s}/versions/${pick(rand, ["nope", "99999999", "..%2F..%2F"])}/state` },
        { method: "POST", path: `${s}/versions`, type: "application/json", body: pick(rand, ['{"name":""}', '{"name":5}', '{"name":"a\\u0000b"}', '{"name":"a","author":"\\u0000"}', `{"name":"${"v".repeat(LIMITS.maxTitleLength + 1)}"}`, `{"name":"a","author":"${"a".repeat(LIMITS.maxNameLength + 1)}"}`, '{"name":"a","extra":1}', "[", "null"]) },
        { method: "POST", path: `${s}/versions/${pick(rand, ["nope", "99999999"])}/restore`, type: "application/json", body: "{}" },
        { method: "POST", path: `${s}/versions/1/restore`, type: "application/json", body: pick(rand, ['{"author":5}', '{"by":"me"}', "{"]) },
        { method: "DELETE", path: `${s}/versions/${pick(rand, ["nope", "1"])}` },
        { method: "GET", path: `${s}/cells/${pick(rand, ["ZZZZ0", "XFD1048577", "A1%00", "A0", "..%2F"])}/history` },
      ]);
    case 14: {
      // Tabs: names no tab has, names no tab may have, bodies of the wrong shape, the last tab
      // deleted, and imports into new tabs of files that do not read (never a change that is valid).
      const tab = pick(rand, ["Nope", "%00", "..%2F", "x".repeat(5000), "first%2Fcells", "__proto__"]);
      return pick(rand, [
        { method: "GET", path: `${s}/cells?tab=${tab}` },
        { method: "GET", path: `${s}/export.csv?tab=${tab}` },
        { method: "GET", path: `${s}/cells/A1/history?tab=${tab}` },
        { method: "PATCH", path: `${s}/cells?tab=${tab}`, type: "application/json", body: '{"cells":{"A1":"x"}}' },
        { method: "PATCH", path: `${s}/tabs/${tab}`, type: "application/json", body: '{"name":"Renamed"}' },
        { method: "DELETE", path: `${s}/tabs/${tab}` },
        { method: "DELETE", path: `${s}/tabs/first` },
        { method: "PATCH", path: `${s}/tabs/first`, type: "application/json", body: pick(rand, ['{"name":"a/b"}', '{"name":"History"}', `{"name":"${"n".repeat(32)}"}`, '{"index":-1}', "{}", '{"name":5}', "["]) },
        { method: "POST", path: `${s}/tabs`, type: "application/json", body: pick(rand, ['{"name":""}', '{"name":"[x]"}', '{"name":"\u202eevil"}', '{"name":"Sheet1"}', '{"index":"0"}', '{"name":"a","owner":1}']) },
        { method: "POST", path: `${s}/import?newTab=${pick(rand, ["New", "a/b", ""])}`, type: "text/csv", body: '"unclosed,quote\n1,2' },
      ]);
    }
    default:
      return { method: "POST", path: `${s}/cells?range=A1`, type: "application/json", body: "{}" };
  }
}

/** The Authorization header of a hostile request: mostly the role's secret, else none, a wrong one or a malformed header. */
function authorization(rand: Rand, { link, wrongSecret }: Target): Record<string, string> {
  switch (int(rand, 8)) {
    case 0:
      return {};
    case 1:
      return { authorization: pick(rand, ["Bearer", `Basic ${link.secret}`, `Token ${link.secret}`, `Bearer ${link.secret} ${link.secret}`, link.secret]) };
    case 2:
      return bearer(wrongSecret("request") ?? link.secret);
    default:
      return bearer(link.secret);
  }
}

async function connected(url: string): Promise<SheetSocket> {
  const socket = connectSocket(url, { forceNew: true });
  await new Promise((r) => socket.once("connect", () => r(null)));
  return socket;
}

/**
 * How long to wait for an ack before taking it that none comes (the event is fire-and-forget or
 * unknown). An accepted write, and any update after one, is acknowledged only once stored, and a
 * busy machine's fsync can take seconds, and the whole test command runs browsers beside this on
 * two cores (replies took over 5 s there at a load of 6): the bound only tells a hang from a slow
 * machine.
 */
const NO_ACK_MS = 12_000;

function emitWithTimeout(socket: SheetSocket, event: string, payload: unknown): Promise<Ack<unknown> | "no reply"> {
  return Promise.race([
    request<Ack<unknown>>(socket, event, payload),
    new Promise<"no reply">((r) => setTimeout(() => r("no reply"), NO_ACK_MS)),
  ]);
}

/**
 * Well-formed writes, each needing a role: accepted from a role that has it, refused as FORBIDDEN
 * with nothing applied from one that has not. (The hostile updates are refused for what they hold;
 * these only for who sends them.)
 */
const CRAFTED: { name: string; needs: Role; write(doc: Y.Doc): void }[] = [
  { name: "a cell write", needs: "edit", write: (doc) => Sheet.of(doc).setCellsA1({ E5: "crafted" }) },
  { name: "a deletion of rows", needs: "edit", write: (doc) => Sheet.of(doc).deleteRows(2, 3) },
  { name: "a chat message", needs: "comment", write: (doc) => void postMessage(doc, { author: "Fuzz", color: "#336699", text: "hello" }) },
];

/** Runs the fuzzer against a server; see {@link FuzzResult}. Sends no more than `rate` a second. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { url, seed, durationMs, role } = options;
  const rate = options.rate ?? 200;
  const rand = prng(seed);
  const sheetId = await createSheet(url, "Fuzzed");
  const honest: TestClient = connectClient(url, sheetId, { socket: { forceNew: true } });
  await honest.provider.whenSynced();
  honest.sheet.setCellsA1({ A1: "honest", B2: "=1+1" });
  await honest.provider.whenSaved();
  const base = Y.encodeStateAsUpdate(honest.doc);
  // What the sheet should hold afterwards: what it held, the honest edits, and the crafted writes
  // the role may make (added as they are accepted).
  const expected = new Y.Doc();
  Y.applyUpdate(expected, base);
  honest.doc.on("update", (update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
    if (tr.local) Y.applyUpdate(expected, update);
  });

  const made = await apiCall(url, "POST", `/api/sheets/${sheetId}/links`, { role, label: "Fuzz" });
  if (made.status !== 201) throw new Error(`could not make a ${role} link: ${made.text}`);
  const link = made.json as NewLink;
  // Another sheet's owner secret, which must open nothing in this one.
  const decoy = await createSheet(url, "Decoy");
  const wrongLeft = { ...WRONG_SECRETS };
  const target: Target = {
    sheetId,
    base,
    link,
    wrongSecret(via) {
      if (wrongLeft[via] === 0) return undefined;
      wrongLeft[via]--;
      const nobodys = Buffer.from(Array.from({ length: 24 }, () => int(rand, 256))).toString("base64url");
      const offByOne = `${link.secret.slice(0, -1)}${link.secret.endsWith("A") ? "B" : "A"}`;
      return pick(rand, [nobodys, offByOne, ownerSecret(decoy)!]);
    },
  };

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
    documentAfter: {},
    documentExpected: {},
    clientsAfter: [],
    clientsExpected: [],
  };
  const seen = new Set<string>();
  const violation = (what: string) => {
    if (!seen.has(what)) result.violations.push(what);
    seen.add(what);
  };

  /** A socket joined to the sheet with the role's link (some events need that to reach the checks past it). */
  const join = async () => {
    const socket = await connected(url);
    const joined = await request<Ack<JoinResult>>(socket, "sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION, secret: link.secret });
    if (!joined.ok || joined.data.role !== role) throw new Error(`the ${role} link joined as ${joined.ok ? joined.data.role : joined.error.code}`);
    return socket;
  };
  const sockets: SheetSocket[] = [];
  for (let i = 0; i < 3; i++) sockets.push(await join());

  // The role itself, before the fuzzing: the crafted writes, each by an update and by a sync step
  // 2, then presence (every role shares it) and a direct message to the honest client.
  const probe = sockets[0]!;
  const verdict = (what: string, needs: Role, reply: Ack<unknown>) => {
    const answer = reply.ok ? "accepted" : reply.error.code;
    const due = roleAtLeast(role, needs) ? "accepted" : ErrorCode.Forbidden;
    if (answer !== due) violation(`${what} from ${role} was ${answer}, not ${due}`);
  };
  for (const crafted of CRAFTED) {
    for (const event of ["sheet:update", "sheet:sync"]) {
      const { doc, change } = copyOf(base);
      const update = change(() => crafted.write(doc));
      const payload = event === "sheet:update" ? { sheetId, update } : { sheetId, message: syncMessage(2, update) };
      const reply = await request<Ack<unknown>>(probe, event, payload);
      verdict(`${crafted.name} by ${event}`, crafted.needs, reply);
      if (reply.ok && roleAtLeast(role, crafted.needs)) Y.applyUpdate(expected, update);
    }
  }
  const presence = new awarenessProtocol.Awareness(new Y.Doc());
  const shared = { sheetId, update: awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]) };
  presence.destroy();
  verdict("sharing presence", "view", await request(probe, "awareness:update", shared));
  verdict("a direct message", "comment", await request(probe, "chat:direct", { sheetId, to: honest.doc.clientID, text: "hello" }));

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
      const req = hostileRequest(rand, target);
      const headers = { ...authorization(rand, target), ...(req.type ? { "content-type": req.type } : {}) };
      result.httpRequests++;
      job = (async () => {
        const label = `${req.method} ${req.path.slice(0, 80)}`;
        const res = await fetch(`${url}${req.path}`, {
          method: req.method,
          headers,
          body: req.body as string | Uint8Array<ArrayBuffer> | undefined,
        }).catch((err: unknown) => {
          // fetch's own message says nothing ("fetch failed"): its cause says what went wrong.
          throw new Error(`${label} (${req.type ?? "no type"}, ${String(req.body?.length ?? 0)} long): ${String((err as { cause?: unknown }).cause ?? err)}`);
        });
        const text = await res.text();
        let code: unknown = null;
        try {
          code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        } catch {
          // not JSON: a violation below
        }
        if (res.status < 400 || res.status >= 500) violation(`${label} answered ${res.status}`);
        else if (typeof code !== "string" || !CODES.has(code)) violation(`${label} answered ${res.status} without a typed error`);
      })();
    } else {
      const [event, payload] = hostileEvent(rand, target);
      const i = int(rand, sockets.length);
      result.socketMessages++;
      job = (async () => {
        if (sockets[i]!.disconnected) sockets[i] = await join();
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

  // The wrong secrets stayed under the failed-secret limit: the role's link still opens the sheet.
  const after = await apiCall(url, "GET", `/api/sheets/${sheetId}`, undefined, undefined, link.secret);
  if (after.status !== 200 || after.json?.role !== role) violation(`the ${role} link afterwards answered ${after.status} ${after.text.slice(0, 200)}`);
  const reader = connectClient(url, sheetId, { socket: { forceNew: true } });
  await reader.provider.whenSynced();
  result.cellsAfter = reader.sheet.toA1Record();
  result.cellsExpected = honest.sheet.toA1Record();
  result.documentAfter = contents(reader.doc);
  result.documentExpected = contents(expected);
  result.clientsAfter = clientIds(reader.doc);
  // The server made the sheet; the honest client and the crafted writes the role may make wrote
  // to it; nobody else may have.
  result.clientsExpected = clientIds(expected);
  reader.close();
  honest.close();
  return result;
}
