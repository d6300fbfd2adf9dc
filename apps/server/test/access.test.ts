import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import * as syncProtocol from "y-protocols/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectSocket,
  ErrorCode,
  SheetProvider,
  PROTOCOL_VERSION,
  secretOf,
  type Ack,
  type ErrorBody,
  type Role,
  type SheetSocket,
} from "@cosheet/protocol";
import { postMessage, Sheet } from "@cosheet/sheet";
import { gcUpdate } from "@cosheet/sheet/testing";
import { MemoryStorage } from "../src/storage/memory.js";
import { SqliteStorage } from "../src/storage/sqlite.js";
import {
  apiCall,
  connectClient,
  createSheet,
  eventually,
  ownerSecret,
  request,
  startServer,
  type TestClient,
  type TestServer,
} from "./helpers.js";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURE = path.join(serverDir, "test", "fixtures", "sheets-v0.db");
const LEGACY_ID = "legacySheetAaaaaaaaaa1";

let server: TestServer;
const clients: (TestClient | SheetSocket)[] = [];

beforeAll(async () => {
  // Many wrong secrets come from this one address on purpose; the limit has its own test.
  server = await startServer({ failedSecretsPerMinute: 10_000 });
});

afterAll(async () => {
  for (const c of clients) "provider" in c ? c.close() : c.disconnect();
  await server.close();
});

const api = (method: string, url: string, body?: unknown, secret?: string | null, base = server.url) =>
  apiCall(base, method, url, body, typeof body === "string" ? "text/csv" : "application/json", secret);

/** A new link to a sheet, made by its owner. */
async function link(id: string, role: Role, extra: { expiresAt?: string } = {}, base = server.url) {
  const made = await api("POST", `/api/sheets/${id}/links`, { role, ...extra }, ownerSecret(id) ?? null, base);
  expect(made.status).toBe(201);
  return made.json as { id: string; secret: string; url: string; role: Role };
}

function client(base: string, id: string, secret: string | null): TestClient {
  const c = connectClient(base, id, { secret });
  clients.push(c);
  return c;
}

async function rawSocket(base = server.url): Promise<SheetSocket> {
  const socket = connectSocket(base);
  clients.push(socket);
  await new Promise((r) => socket.once("connect", () => r(null)));
  return socket;
}

function join(socket: SheetSocket, sheetId: string, secret?: string) {
  return request<Ack<{ role: Role; awareness: unknown }>>(socket, "sheet:join", {
    sheetId,
    protocolVersion: PROTOCOL_VERSION,
    ...(secret === undefined ? {} : { secret }),
  });
}

function code(ack: Ack<unknown>): string | null {
  return ack.ok ? null : ack.error.code;
}

/** The first error a provider reports. */
function firstError(c: TestClient): Promise<ErrorBody> {
  return new Promise((resolve) => c.provider.on("error", resolve));
}

/** Everything stored for a sheet, read back from storage: what each part of the document holds. */
async function stored(id: string, storage = server.storage) {
  const doc = new Y.Doc();
  for (const update of (await storage.load(id))!.updates) Y.applyUpdate(doc, update);
  const sheet = Sheet.of(doc);
  const { rows, cols, styles, meta, colWidths, chat } = sheet.types;
  return {
    cells: sheet.toA1Record(),
    rows: rows.toArray(),
    cols: cols.toArray(),
    styles: styles.toJSON(),
    meta: meta.toJSON(),
    colWidths: colWidths.toJSON(),
    chat: chat.toArray().map((m) => m.text),
  };
}

function updateOf(doc: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change();
  return Y.encodeStateAsUpdate(doc, before);
}

/** A sheet with content, a chat message, and a socket joined with a link of `role`. */
async function sheetWith(role: Role) {
  const id = await createSheet(server.url, `for ${role}`);
  const owner = client(server.url, id, ownerSecret(id)!);
  await owner.provider.whenSynced();
  owner.sheet.setCellsA1({ A1: "1", A2: "=A1*2" });
  postMessage(owner.doc, { author: "Owner", color: "#1a7f5a", text: "hello" });
  await owner.provider.whenSaved();
  const { secret } = await link(id, role);
  const member = client(server.url, id, secret);
  await member.provider.whenSynced();
  /** What a crafted client sends: one change to a copy of what the server holds. */
  const crafted = (change: Change) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(member.doc));
    const update = updateOf(doc, () => change(Sheet.of(doc), doc));
    return { update, step2: step2(doc) };
  };
  return { id, owner, member, crafted };
}

/** A sync step 2 holding a whole document. */
function step2(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeSyncStep2(encoder, doc);
  return encoding.toUint8Array(encoder);
}

type Change = (sheet: Sheet, doc: Y.Doc) => void;

/** Sends each change as an update and as a sync step 2, and expects both refused as FORBIDDEN. */
async function expectForbidden(
  member: TestClient,
  sheetId: string,
  crafted: (change: Change) => { update: Uint8Array; step2: Uint8Array },
  attempts: [string, Change][],
): Promise<void> {
  for (const [what, change] of attempts) {
    const { update, step2: message } = crafted(change);
    const viaUpdate = await request<Ack<null>>(member.socket, "sheet:update", { sheetId, update });
    expect(code(viaUpdate), what).toBe(ErrorCode.Forbidden);
    const viaStep2 = await request<Ack<unknown>>(member.socket, "sheet:sync", { sheetId, message });
    expect(code(viaStep2), what).toBe(ErrorCode.Forbidden);
  }
}

describe("joining", () => {
  it("needs a live link's secret: without one, or with a wrong, malformed, revoked or expired one, nothing of the sheet is sent", async () => {
    const id = await createSheet(server.url);
    const revoked = await link(id, "edit");
    expect((await api("DELETE", `/api/sheets/${id}/links/${revoked.id}`, undefined, ownerSecret(id)!)).status).toBe(204);
    const expiring = await link(id, "edit", { expiresAt: new Date(Date.now() + 300).toISOString() });
    await new Promise((r) => setTimeout(r, 400));

    const socket = await rawSocket();
    let updates = 0;
    socket.on("sheet:update", () => updates++);
    socket.on("awareness:update", () => updates++);
    for (const secret of [undefined, "x".repeat(32), "not a secret", revoked.secret, expiring.secret]) {
      const ack = await join(socket, id, secret);
      expect(code(ack), String(secret)).toBe(ErrorCode.Unauthorized);
      expect("data" in ack).toBe(false);
    }
    const sync = await request<Ack<unknown>>(socket, "sheet:sync", { sheetId: id, message: new Uint8Array([0, 0]) });
    expect(code(sync)).toBe(ErrorCode.NotJoined);
    // The owner's edits never reach the refused socket.
    const owner = client(server.url, id, ownerSecret(id)!);
    await owner.provider.whenSynced();
    owner.sheet.setCellsA1({ A1: "secret stuff" });
    await owner.provider.whenSaved();
    await new Promise((r) => setTimeout(r, 100));
    expect(updates).toBe(0);
    expect(code(await join(socket, "Q".repeat(22), "x".repeat(32)))).toBe(ErrorCode.NotFound);
    const joined = await join(socket, id, ownerSecret(id));
    expect(joined.ok && joined.data.role).toBe("owner");
  });

  it("answers each link with its own role", async () => {
    const id = await createSheet(server.url);
    for (const role of ["view", "comment", "edit", "owner"] as const) {
      const ack = await join(await rawSocket(), id, (await link(id, role)).secret);
      expect(ack.ok && ack.data.role).toBe(role);
    }
  });

  it("answers wrong secrets past the address's limit with RATE_LIMITED, a burst counted whole, and still lets a right one in", async () => {
    const strict = await startServer({ failedSecretsPerMinute: 3 });
    try {
      const id = await createSheet(strict.url);
      const socket = await rawSocket(strict.url);
      // Twenty wrong secrets at once: three are answered UNAUTHORIZED, the rest RATE_LIMITED.
      const burst = await Promise.all(Array.from({ length: 20 }, () => join(socket, id, "w".repeat(32))));
      expect(burst.filter((a) => code(a) === ErrorCode.Unauthorized)).toHaveLength(3);
      const limited = burst.filter((a) => code(a) === ErrorCode.RateLimited);
      expect(limited).toHaveLength(17);
      expect(!limited[0]!.ok && limited[0]!.error.retryAfterMs).toBeGreaterThan(0);
      const http = await api("GET", `/api/sheets/${id}`, undefined, "w".repeat(32), strict.url);
      expect(http.status).toBe(429);
      // Someone behind the same address with a live link is not locked out.
      const joined = await join(socket, id, ownerSecret(id));
      expect(joined.ok && joined.data.role).toBe("owner");
      expect((await api("GET", `/api/sheets/${id}`, undefined, ownerSecret(id)!, strict.url)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe("a viewer's and a commenter's sockets", () => {
  it("a viewer reads live, shares presence, and can change nothing whatever it sends", async () => {
    const { id, owner, member, crafted } = await sheetWith("view");
    expect(member.provider.role).toBe("view");
    expect(member.sheet.getInput(0, 0)).toBe("1");
    const before = await stored(id);

    const attempts: [string, Change][] = [
      ["a cell", (sheet) => sheet.setCellsA1({ A1: "hacked" })],
      ["a cleared cell", (sheet) => sheet.setCellsA1({ A2: "" })],
      ["rows inserted", (sheet) => sheet.insertRows(0, 5)],
      ["rows deleted", (sheet) => sheet.deleteRows(0, 10)],
      ["a style", (sheet) => sheet.setStyle({ start: { row: 0, col: 0 }, end: { row: 0, col: 0 } }, { bold: true })],
      ["the title", (sheet) => sheet.setTitle("mine")],
      ["a column width", (sheet) => sheet.setColWidth(0, 300)],
      ["a chat message", (_, doc) => postMessage(doc, { author: "V", color: "#000000", text: "hi" })],
      ["a chat message deleted", (sheet) => sheet.types.chat.delete(0, 1)],
    ];
    await expectForbidden(member, id, crafted, attempts);
    const dm = await request<Ack<null>>(member.socket, "chat:direct", { sheetId: id, to: owner.doc.clientID, text: "psst" });
    expect(code(dm)).toBe(ErrorCode.Forbidden);
    // Nor can it use up an editor's coming clocks, which would make the editor's offline edits
    // look known, and be dropped, when it reconnects.
    const gc = gcUpdate(owner.doc.clientID, Y.getState(owner.doc.store, owner.doc.clientID), 1_000_000);
    expect(code(await request<Ack<null>>(member.socket, "sheet:update", { sheetId: id, update: gc }))).toBe(ErrorCode.Forbidden);
    // Reading and presence still work.
    const step1 = encoding.createEncoder();
    syncProtocol.writeSyncStep1(step1, new Y.Doc());
    const read = await request<Ack<{ messages: unknown[] }>>(member.socket, "sheet:sync", { sheetId: id, message: encoding.toUint8Array(step1) });
    expect(read.ok && read.data.messages.length).toBeGreaterThan(0);
    member.provider.awareness.setLocalState({ user: { name: "Vera" } });
    await eventually(() => expect([...owner.provider.awareness.getStates().values()].some((s) => s.user?.name === "Vera")).toBe(true));
    owner.sheet.setCellsA1({ B1: "live" });
    await eventually(() => expect(member.sheet.getInput(0, 1)).toBe("live"));
    await owner.provider.whenSaved();

    const after = await stored(id);
    expect(after).toEqual({ ...before, cells: { ...before.cells, B1: "live" } });
    // A viewer's own provider never counts anything as unsaved.
    expect(member.provider.unsyncedChanges).toBe(0);
  });

  it("a commenter writes the chat and direct messages, and nothing else", async () => {
    const { id, owner, member, crafted } = await sheetWith("comment");
    expect(member.provider.role).toBe("comment");
    owner.provider.awareness.setLocalState({ user: { name: "Owner" } });
    const before = await stored(id);
    const attempts: [string, Change][] = [
      ["a cell", (sheet) => sheet.setCellsA1({ A1: "hacked" })],
      ["rows deleted", (sheet) => sheet.deleteRows(0, 10)],
      ["the title", (sheet) => sheet.setTitle("mine")],
      // A chat message and a cell in one update: refused whole.
      [
        "chat and a cell",
        (sheet, doc) =>
          doc.transact(() => {
            postMessage(doc, { author: "C", color: "#000000", text: "and" });
            sheet.setCellsA1({ C3: "sneaky" });
          }),
      ],
    ];
    await expectForbidden(member, id, crafted, attempts);
    // A chat message written as the owner's client (added and taken back, so it looks like nothing).
    const asOwner = new Y.Doc();
    asOwner.clientID = owner.doc.clientID;
    Y.applyUpdate(asOwner, Y.encodeStateAsUpdate(owner.doc));
    const hijack = updateOf(asOwner, () => {
      postMessage(asOwner, { author: "C", color: "#000000", text: "x" });
      Sheet.of(asOwner).types.chat.delete(Sheet.of(asOwner).types.chat.length - 1, 1);
    });
    expect(code(await request<Ack<null>>(member.socket, "sheet:update", { sheetId: id, update: hijack }))).toBe(ErrorCode.Forbidden);
    // Its own provider sends a chat message, and drops (does not keep as unsaved) a refused cell.
    postMessage(member.doc, { author: "Cleo", color: "#1a7f5a", text: "looks right" });
    await member.provider.whenSaved();
    await eventually(() => expect(owner.sheet.types.chat.toArray().map((m) => m.text)).toContain("looks right"));
    const discarded = new Promise<number>((resolve) => member.provider.on("discarded", resolve));
    member.sheet.setCellsA1({ D4: "no" });
    expect(await discarded).toBe(1);
    expect(member.provider.unsyncedChanges).toBe(0);
    // A message written while offline is sent on reconnect, and those after it too.
    member.socket.disconnect();
    postMessage(member.doc, { author: "Cleo", color: "#1a7f5a", text: "typed offline" });
    member.socket.connect();
    await member.provider.whenSynced();
    postMessage(member.doc, { author: "Cleo", color: "#1a7f5a", text: "back online" });
    await member.provider.whenSaved();
    await eventually(() => expect(owner.sheet.types.chat.toArray().map((m) => m.text).slice(-2)).toEqual(["typed offline", "back online"]));
    await eventually(() => expect(owner.provider.awareness.getStates().size).toBeGreaterThan(0));
    const dm = await request<Ack<null>>(member.socket, "chat:direct", { sheetId: id, to: owner.doc.clientID, text: "psst" });
    expect(dm.ok).toBe(true);

    const after = await stored(id);
    expect(after).toEqual({ ...before, chat: [...before.chat, "looks right", "typed offline", "back online"] });
  });

  it("a view page never sends what an earlier edit visit left unsaved in its document", async () => {
    const id = await createSheet(server.url);
    const view = await link(id, "view");
    // A document that holds a change the server never got, as IndexedDB keeps it.
    const editor = client(server.url, id, ownerSecret(id)!);
    await editor.provider.whenSynced();
    const earlier = new Y.Doc();
    Y.applyUpdate(earlier, Y.encodeStateAsUpdate(editor.doc));
    Sheet.of(earlier).setCellsA1({ A1: "typed offline" });
    const page = new Y.Doc();
    const socket = connectSocket(server.url, { reconnectionDelay: 50 });
    clients.push(socket);
    const provider = new SheetProvider({ socket, sheetId: id, doc: page, secret: view.secret });
    const discarded = new Promise<number>((resolve) => provider.on("discarded", resolve));
    // The browser's copy loads while the page connects, as y-indexeddb's does.
    Y.applyUpdate(page, Y.encodeStateAsUpdate(earlier), "indexeddb");
    await provider.whenSynced();
    expect(await discarded).toBeGreaterThan(0);
    expect(provider.unsyncedChanges).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect((await stored(id)).cells).toEqual({});
    provider.destroy();
  });
});

describe("revoking and expiry", () => {
  it("revoking a link drops its live sockets within 2 s, and it gives nothing from then on", async () => {
    const id = await createSheet(server.url);
    const { id: linkId, secret } = await link(id, "view");
    const viewer = client(server.url, id, secret);
    const other = client(server.url, id, (await link(id, "view")).secret);
    await Promise.all([viewer.provider.whenSynced(), other.provider.whenSynced()]);
    const error = firstError(viewer);
    const revoked = await api("DELETE", `/api/sheets/${id}/links/${linkId}`, undefined, ownerSecret(id)!);
    expect(revoked.status).toBe(204);
    const deadline = Date.now() + 2_000;
    expect((await error).code).toBe(ErrorCode.Unauthorized);
    expect(Date.now()).toBeLessThanOrEqual(deadline);
    // No more of the sheet reaches it; the other viewer's link still works.
    const owner = client(server.url, id, ownerSecret(id)!);
    await owner.provider.whenSynced();
    owner.sheet.setCellsA1({ A1: "after" });
    await eventually(() => expect(other.sheet.getInput(0, 0)).toBe("after"));
    expect(viewer.sheet.getInput(0, 0)).toBe("");
    expect(code(await join(viewer.socket, id, secret))).toBe(ErrorCode.Unauthorized);
    const http = await api("GET", `/api/sheets/${id}`, undefined, secret);
    expect(http.status).toBe(401);
    expect(http.headers.get("www-authenticate")).toContain("Bearer");
    // Revoking again, or a link of another sheet, is a typed 404.
    expect((await api("DELETE", `/api/sheets/${id}/links/${linkId}`, undefined, ownerSecret(id)!)).json.error.code).toBe(ErrorCode.NotFound);
  });

  it("an expired link stops working at its expiry, on a live socket and over HTTP", async () => {
    const id = await createSheet(server.url);
    const { secret } = await link(id, "edit", { expiresAt: new Date(Date.now() + 1_000).toISOString() });
    const member = client(server.url, id, secret);
    await member.provider.whenSynced();
    expect((await api("GET", `/api/sheets/${id}`, undefined, secret)).status).toBe(200);
    const error = await firstError(member);
    expect(error).toEqual({ code: ErrorCode.Unauthorized, message: "This link has expired" });
    expect((await api("GET", `/api/sheets/${id}`, undefined, secret)).status).toBe(401);
    const listed = await api("GET", `/api/sheets/${id}/links`, undefined, ownerSecret(id)!);
    expect(listed.json.links.find((l: { role: string }) => l.role === "edit").expired).toBe(true);
  });

  it("a join whose grant was looked up before a revoke does not get in after it", async () => {
    class SlowStorage extends MemoryStorage {
      delayMs = 0;
      override async access(sheetId: string, secretHash: string | null) {
        const access = await super.access(sheetId, secretHash);
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        return access;
      }
    }
    const storage = new SlowStorage();
    const slow = await startServer({ storage });
    try {
      const id = await createSheet(slow.url);
      const viewLink = await link(id, "view", {}, slow.url);
      storage.delayMs = 300;
      const joining = join(await rawSocket(slow.url), id, viewLink.secret);
      await new Promise((r) => setTimeout(r, 50));
      storage.delayMs = 0;
      expect((await api("DELETE", `/api/sheets/${id}/links/${viewLink.id}`, undefined, ownerSecret(id)!, slow.url)).status).toBe(204);
      expect(code(await joining)).toBe(ErrorCode.Unauthorized);
    } finally {
      await slow.close();
    }
  });

  it("keeps a sheet's last owner link (one that lasts as long), and refuses links that cannot work", async () => {
    const id = await createSheet(server.url);
    const [ownerLink] = (await api("GET", `/api/sheets/${id}/links`, undefined, ownerSecret(id)!)).json.links;
    const last = await api("DELETE", `/api/sheets/${id}/links/${ownerLink.id}`, undefined, ownerSecret(id)!);
    expect(last.status).toBe(400);
    expect(last.json.error.message).toContain("last owner link");
    // An owner link that expires does not outlast one that never does.
    await link(id, "owner", { expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect((await api("DELETE", `/api/sheets/${id}/links/${ownerLink.id}`, undefined, ownerSecret(id)!)).status).toBe(400);
    const second = await link(id, "owner");
    expect((await api("DELETE", `/api/sheets/${id}/links/${ownerLink.id}`, undefined, second.secret)).status).toBe(204);
    for (const body of [{ role: "admin" }, { role: "view", expiresAt: "2020-01-01T00:00:00Z" }, { role: "view", expiresAt: "soon" }, { role: "view", label: "x".repeat(101) }, { role: "view", extra: 1 }]) {
      const refused = await api("POST", `/api/sheets/${id}/links`, body, second.secret);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.json.error.code).toBe(ErrorCode.BadRequest);
    }
  });
});

describe("every HTTP endpoint, with every kind of secret", () => {
  it("answers 401 without a live secret, 403 below the role it needs, and does only what the role allows", async () => {
    const id = await createSheet(server.url, "matrix");
    const owner = ownerSecret(id)!;
    const roles = Object.fromEntries(
      await Promise.all((["view", "comment", "edit"] as const).map(async (role) => [role, (await link(id, role)).secret])),
    ) as Record<"view" | "comment" | "edit", string>;
    const revoked = await link(id, "owner");
    await api("DELETE", `/api/sheets/${id}/links/${revoked.id}`, undefined, owner);
    const expired = await link(id, "owner", { expiresAt: new Date(Date.now() + 300).toISOString() });
    await new Promise((r) => setTimeout(r, 400));

    type Credential = { name: string; secret: string | null; header?: string; role: Role | null };
    const credentials: Credential[] = [
      { name: "none", secret: null, role: null },
      { name: "wrong", secret: "w".repeat(32), role: null },
      { name: "malformed bearer", secret: null, header: "Bearer two words", role: null },
      // A proxy's own credentials are no secret: the sheet needs a link all the same.
      { name: "basic (a proxy's)", secret: null, header: "Basic b3duZXI6cHc=", role: null },
      { name: "revoked", secret: revoked.secret, role: null },
      { name: "expired", secret: expired.secret, role: null },
      { name: "view", secret: roles.view, role: "view" },
      { name: "comment", secret: roles.comment, role: "comment" },
      { name: "edit", secret: roles.edit, role: "edit" },
      { name: "owner", secret: owner, role: "owner" },
    ];
    const order: Role[] = ["view", "comment", "edit", "owner"];
    const endpoints: { method: string; path: (row: number) => Promise<string> | string; body?: (row: number) => unknown; needs: Role; ok: number }[] = [
      { method: "GET", path: () => `/api/sheets/${id}`, needs: "view", ok: 200 },
      { method: "GET", path: () => `/api/sheets/${id}/cells?range=A1:B2`, needs: "view", ok: 200 },
      { method: "GET", path: () => `/api/sheets/${id}/export.csv`, needs: "view", ok: 200 },
      { method: "GET", path: () => `/api/sheets/${id}/export.xlsx`, needs: "view", ok: 200 },
      { method: "PATCH", path: () => `/api/sheets/${id}/cells`, body: (row) => ({ cells: { [`A${row}`]: "patched" } }), needs: "edit", ok: 200 },
      { method: "POST", path: (row) => `/api/sheets/${id}/import?at=C${row}`, body: () => "imported", needs: "edit", ok: 200 },
      { method: "GET", path: () => `/api/sheets/${id}/links`, needs: "owner", ok: 200 },
      { method: "POST", path: () => `/api/sheets/${id}/links`, body: () => ({ role: "view" }), needs: "owner", ok: 201 },
      { method: "DELETE", path: async () => `/api/sheets/${id}/links/${(await link(id, "view")).id}`, needs: "owner", ok: 204 },
      { method: "PUT", path: () => `/api/sheets/${id}/plain-address`, body: () => ({ enabled: false }), needs: "owner", ok: 200 },
    ];
    for (const [row, cred] of credentials.entries()) {
      for (const e of endpoints) {
        const url = await e.path(row + 1);
        const body = e.body?.(row + 1);
        const res = await fetch(`${server.url}${url}`, {
          method: e.method,
          headers: {
            ...(cred.header ? { authorization: cred.header } : cred.secret ? { authorization: `Bearer ${cred.secret}` } : {}),
            ...(body === undefined ? {} : { "content-type": typeof body === "string" ? "text/csv" : "application/json" }),
          },
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        });
        const label = `${e.method} ${url} as ${cred.name}`;
        const expected = cred.role === null ? 401 : order.indexOf(cred.role) < order.indexOf(e.needs) ? 403 : e.ok;
        expect(res.status, label).toBe(expected);
        if (expected >= 400) {
          const { error } = (await res.json()) as { error: { code: string; message: string } };
          expect(error.code, label).toBe(expected === 401 ? ErrorCode.Unauthorized : ErrorCode.Forbidden);
          expect(error.message).not.toMatch(/\bat .*\.[jt]s:\d+/); // no stack trace
        }
      }
    }
    // Only the edit and owner requests wrote anything: each in its own row.
    const cells = (await api("GET", `/api/sheets/${id}/cells?range=A1:C${credentials.length}`, undefined, owner)).json.cells as { input: string }[][];
    const written = cells.flatMap((r, i) => (r.some((c) => c.input !== "") ? [credentials[i]!.name] : []));
    expect(written).toEqual(["edit", "owner"]);
  }, 30_000);
});

describe("sheets made before links", () => {
  it("open at their plain address with edit access, until an owner link made by the operator's command switches it off", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-legacy-"));
    fs.copyFileSync(FIXTURE, path.join(dataDir, "cosheet.db"));
    const storage = new SqliteStorage(path.join(dataDir, "cosheet.db"));
    const legacy = await startServer({ storage });
    try {
      const plain = client(legacy.url, LEGACY_ID, null);
      await plain.provider.whenSynced();
      expect(plain.provider.role).toBe("edit");
      expect(plain.sheet.getInput(0, 0)).toBe("hello");
      expect((await api("GET", `/api/sheets/${LEGACY_ID}/cells?range=A1`, undefined, null, legacy.url)).json.cells[0][0].input).toBe("hello");
      // Plain edit access is no owner's: links need one.
      expect((await api("GET", `/api/sheets/${LEGACY_ID}/links`, undefined, null, legacy.url)).status).toBe(403);

      const run = (args: string[]) =>
        promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: serverDir, env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: "https://sheets.example" } });
      const { stdout } = await run(["owner-link", LEGACY_ID]);
      const url = new URL(stdout.trim());
      expect(`${url.origin}${url.pathname}`).toBe(`https://sheets.example/s/${LEGACY_ID}`);
      const secret = secretOf(url.hash)!;
      expect(secret).toBeDefined();
      await expect(run(["owner-link", "Q".repeat(22)])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("there is no sheet") });
      await expect(run(["owner-link"])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("give a sheet id") });

      const links = await api("GET", `/api/sheets/${LEGACY_ID}/links`, undefined, secret, legacy.url);
      expect(links.json).toMatchObject({ plainAddress: true, links: [{ role: "owner", label: "Made by the operator" }] });
      const error = firstError(plain);
      expect((await api("PUT", `/api/sheets/${LEGACY_ID}/plain-address`, { enabled: false }, secret, legacy.url)).status).toBe(200);
      expect((await error).code).toBe(ErrorCode.Unauthorized);
      expect((await api("GET", `/api/sheets/${LEGACY_ID}`, undefined, null, legacy.url)).status).toBe(401);
      const owner = client(legacy.url, LEGACY_ID, secret);
      await owner.provider.whenSynced();
      expect(owner.provider.role).toBe("owner");
      // The other sheet of the old database keeps its plain address.
      expect((await api("GET", `/api/sheets/legacySheetBbbbbbbbbb2`, undefined, null, legacy.url)).status).toBe(200);
    } finally {
      await legacy.close();
      await storage.close();
    }
  }, 30_000);
});
