import { pino } from "pino";
import * as Y from "yjs";
import { connectSocket, SheetProvider, type SheetSocket } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";
import { createApp, type App, type AppDeps } from "../src/app.js";
import { MemoryStorage } from "../src/storage/memory.js";
import type { Storage } from "../src/storage/storage.js";

export const silent = pino({ level: "silent" });

export interface TestServer {
  app: App;
  url: string;
  storage: Storage;
  close(): Promise<void>;
}

/** A real server on a free port (memory storage unless one is given). */
export async function startServer(deps: Partial<AppDeps> = {}): Promise<TestServer> {
  const storage = deps.storage ?? new MemoryStorage();
  const app = createApp({ logger: silent, idleUnloadMs: 50, ...deps, storage });
  const { port } = await app.listen(0, "127.0.0.1");
  return { app, url: `http://127.0.0.1:${port}`, storage, close: () => app.close() };
}

export interface TestClient {
  socket: SheetSocket;
  doc: Y.Doc;
  sheet: Sheet;
  provider: SheetProvider;
  close(): void;
}

/**
 * The owner secret of each sheet the tests made through the API, kept as the browser that made a
 * sheet keeps it: clients and requests use it unless a test says otherwise.
 */
const ownerSecrets = new Map<string, string>();

export function ownerSecret(sheetId: string): string | undefined {
  return ownerSecrets.get(sheetId);
}

/** An Authorization header for a secret (none for undefined). */
export function bearer(secret: string | undefined): Record<string, string> {
  return secret === undefined ? {} : { authorization: `Bearer ${secret}` };
}

/**
 * A real socket.io-client bound to one sheet through the sync client, joined with `secret`: by
 * default the sheet's owner secret; `null` joins by the plain address.
 */
export function connectClient(
  url: string,
  sheetId: string,
  options: { socket?: Parameters<typeof connectSocket>[1]; secret?: string | null; person?: string; doc?: Y.Doc; beforeSync?: () => Promise<unknown> } = {},
): TestClient {
  const socket = connectSocket(url, { reconnectionDelay: 50, reconnectionDelayMax: 200, ...options.socket });
  const doc = options.doc ?? new Y.Doc();
  const secret = options.secret === undefined ? ownerSecret(sheetId) : (options.secret ?? undefined);
  const provider = new SheetProvider({
    socket,
    sheetId,
    doc,
    ...(secret ? { secret } : {}),
    ...(options.person ? { person: options.person } : {}),
    ...(options.beforeSync ? { beforeSync: options.beforeSync } : {}),
  });
  return {
    socket,
    doc,
    sheet: Sheet.of(doc),
    provider,
    close() {
      provider.destroy();
      socket.disconnect();
    },
  };
}

export async function createSheet(url: string, title?: string): Promise<string> {
  const res = await fetch(`${url}/api/sheets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(title === undefined ? {} : { title }),
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
  const { id, secret } = (await res.json()) as { id: string; secret: string };
  ownerSecrets.set(id, secret);
  return id;
}

/** Polls until `check` stops throwing or rejecting (or returns true). */
export async function eventually(check: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await check()) !== false) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Emits an event and resolves with its ack. */
export function request<T = unknown>(socket: SheetSocket, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve) => {
    (socket.emit as unknown as (e: string, p: unknown, cb: (r: T) => void) => void)(event, payload, resolve);
  });
}

/**
 * One HTTP request to a test server: a body that is not a string or bytes goes as JSON. It sends
 * `secret` as its bearer: by default the owner secret of the sheet in the URL, if the tests made
 * it; `null` sends none. Answers the status, the body as text and, when it is JSON, parsed.
 */
export async function apiCall(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  type = "application/json",
  secret?: string | null,
) {
  const sheetId = /^\/api\/sheets\/([^/?]+)/.exec(url)?.[1];
  const auth = bearer(secret === undefined ? (sheetId && ownerSecret(sheetId)) || undefined : (secret ?? undefined));
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { "content-type": type }) },
    body:
      body === undefined
        ? undefined
        : typeof body === "string" || body instanceof Uint8Array
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (CSV, HTML)
  }
  // A sheet made here is kept with its owner secret, as the browser that made it would keep it.
  if (method === "POST" && /^\/api\/sheets(\?|$)/.test(url) && res.status === 201) ownerSecrets.set(json.id, json.secret);
  return { status: res.status, json, text, headers: res.headers };
}
