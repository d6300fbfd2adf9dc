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

/** A real socket.io-client bound to one sheet through the sync client. */
export function connectClient(
  url: string,
  sheetId: string,
  options: { socket?: Parameters<typeof connectSocket>[1] } = {},
): TestClient {
  const socket = connectSocket(url, { reconnectionDelay: 50, reconnectionDelayMax: 200, ...options.socket });
  const doc = new Y.Doc();
  const provider = new SheetProvider({ socket, sheetId, doc });
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
  return ((await res.json()) as { id: string }).id;
}

/** Polls until `check` stops throwing (or returns true). */
export async function eventually(check: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (check() !== false) return;
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
 * One HTTP request to a test server: a body that is not a string or bytes goes as JSON. Answers the
 * status, the body as text and, when it is JSON, parsed.
 */
export async function apiCall(base: string, method: string, url: string, body?: unknown, type = "application/json") {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? {} : { "content-type": type },
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
  return { status: res.status, json, text, headers: res.headers };
}
