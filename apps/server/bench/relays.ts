/**
 * Cosheet, Hocuspocus and y-websocket behind one interface, for the comparison in compare.ts:
 * each one's server in its own process, persisting to disk as in production; a full client (a
 * Yjs document kept in sync by the system's own provider); and a listener, a bare socket that
 * hands on each message it receives, so many of them cost this process little and alike.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as msgpack from "notepack.io";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { connectSocket, PROTOCOL_VERSION, type SheetSocket } from "@cosheet/protocol";
import { toCsv } from "@cosheet/sheet";
import { bearer, connectClient, createSheet, ownerSecret } from "../test/helpers.js";
import { spawnServer } from "../test/process.js";

export interface RelayServer {
  /** http://127.0.0.1:port */
  url: string;
  pid: number;
  /** SIGTERM, and resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface RelayClient {
  doc: Y.Doc;
  /** Resolves once the document has the server's state. */
  synced: Promise<void>;
  /** Bytes this client's socket has read from the server so far. */
  bytesRead(): number;
  close(): void;
}

export interface Relay {
  name: string;
  /** Starts a server on `dataDir`; a second start on the same directory finds what the first stored. */
  start(dataDir: string): Promise<RelayServer>;
  /** A document to work on (Cosheet makes a sheet; the others take any name). */
  newDoc(server: RelayServer): Promise<string>;
  client(server: RelayServer, name: string): RelayClient;
  /**
   * A bare socket that sends Yjs updates made elsewhere (and applies nothing it receives), as
   * its system's own client would send them one by one.
   */
  sender(server: RelayServer, name: string): Promise<{ send(update: Uint8Array): void; close(): void }>;
  /**
   * Joins, then calls `onUpdate` with each broadcast update (Cosheet's: each message, which holds
   * the update's bytes verbatim); resolves with a function that leaves.
   */
  listener(server: RelayServer, name: string, onUpdate: (update: Uint8Array) => void): Promise<() => void>;
}

const wsUrl = (url: string) => url.replace(/^http/, "ws");

// y-websocket's provider adds a process "exit" listener per instance; hundreds are expected here.
process.setMaxListeners(0);

async function spawn(dataDir: string, entry: string, env: Record<string, string> = {}): Promise<RelayServer> {
  const p = await spawnServer({ DATA_DIR: dataDir, PORT: "0", ...env }, process.env.BENCH_SERVER_ARGS?.split(" ") ?? [], entry);
  return {
    url: p.url,
    pid: p.child.pid!,
    async stop() {
      p.child.kill("SIGTERM");
      const killed = setTimeout(() => p.child.kill("SIGKILL"), 15_000);
      await p.exited;
      clearTimeout(killed);
    },
  };
}

/** Bytes read by the TCP socket under a `ws` WebSocket. */
function wsBytesRead(ws: unknown): number {
  return (ws as { _socket?: { bytesRead: number } } | null)?._socket?.bytesRead ?? 0;
}

/**
 * A bare Cosheet socket joined to a sheet with its owner secret: no provider, so it applies
 * nothing it receives. `listen` adds its listeners before it connects.
 */
export async function joinSocket(url: string, sheetId: string, listen?: (socket: SheetSocket) => void): Promise<SheetSocket> {
  const socket = connectSocket(url, { forceNew: true });
  listen?.(socket);
  await new Promise((r) => socket.once("connect", () => r(null)));
  await new Promise((r) => socket.emit("sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(sheetId) }, r));
  return socket;
}

/** A new sheet holding a rows x cols CSV import (`r0c0`, `r0c1`, …). */
export async function importedSheet(url: string, rows: number, cols: number): Promise<string> {
  const sheetId = await createSheet(url);
  const csv = toCsv(Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => `r${r}c${c}`)));
  const res = await fetch(`${url}/api/sheets/${sheetId}/import`, {
    method: "POST",
    headers: { ...bearer(ownerSecret(sheetId)), "content-type": "text/csv" },
    body: csv,
  });
  if (!res.ok) throw new Error(`import failed: ${await res.text()}`);
  return sheetId;
}

/** Socket.IO's packet types (socket.io-parser), as socket.io-msgpack-parser encodes them. */
const SOCKET_IO_CONNECT = 0;
const SOCKET_IO_EVENT = 2;
const SOCKET_IO_ACK = 3;

/**
 * A bare WebSocket speaking Engine.IO 4 and Socket.IO 5 with the MessagePack parser, as the
 * listeners of the other systems are bare sockets: it connects, joins with the owner secret, and
 * after that hands on every message as received, undecoded (a broadcast update carries its bytes
 * verbatim), so it costs this process no more than theirs do.
 */
async function bareCosheetSocket(server: RelayServer, sheetId: string, onMessage: (message: Uint8Array) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${wsUrl(server.url)}/socket.io/?EIO=4&transport=websocket`);
  let joined = false;
  const send = (packet: object) => ws.send(msgpack.encode({ nsp: "/", ...packet }));
  await new Promise<void>((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (data: Buffer, binary: boolean) => {
      if (!binary) {
        const text = data.toString();
        if (text === "2") ws.send("3"); // Engine.IO ping, pong
        else if (text.startsWith("0")) send({ type: SOCKET_IO_CONNECT });
        return;
      }
      if (joined) return onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const packet = msgpack.decode<{ type: number; id?: number; data?: unknown }>(data);
      if (packet.type === SOCKET_IO_CONNECT) {
        send({ type: SOCKET_IO_EVENT, id: 1, data: ["sheet:join", { sheetId, protocolVersion: PROTOCOL_VERSION, secret: ownerSecret(sheetId) }] });
      } else if (packet.type === SOCKET_IO_ACK && packet.id === 1) {
        const [answer] = packet.data as [{ ok: boolean }];
        if (!answer.ok) reject(new Error(`join refused: ${JSON.stringify(answer)}`));
        joined = true;
        resolve();
      }
    });
  });
  return ws;
}

/** Cosheet's own client; `compressed: false` asks for the sheet's parts as they are. */
function cosheetClient(server: RelayServer, name: string, compressed: boolean): RelayClient {
  const c = connectClient(server.url, name, { socket: { forceNew: true } });
  if (!compressed) {
    const emit = c.socket.emit.bind(c.socket) as (event: string, payload: unknown, ...rest: unknown[]) => unknown;
    c.socket.emit = ((event: string, payload: unknown, ...rest: unknown[]) => {
      const { compression: _, ...plain } = payload as { compression?: string };
      return emit(event, event === "sheet:sync" ? plain : payload, ...rest);
    }) as never;
  }
  return {
    doc: c.doc,
    synced: c.provider.whenSynced(),
    bytesRead: () => wsBytesRead((c.socket.io.engine?.transport as unknown as { ws?: unknown } | undefined)?.ws),
    close: () => c.close(),
  };
}

export const cosheet: Relay = {
  name: "Cosheet",
  // Every benchmark client connects from 127.0.0.1: the per-address limits are lifted.
  start: (dataDir) => spawn(dataDir, "src/index.ts", { ADDRESS_EVENTS_PER_SECOND: "1000000", SHEETS_PER_MINUTE_PER_ADDRESS: "100000" }),
  newDoc: (server) => createSheet(server.url),
  client: (server, name) => cosheetClient(server, name, true),
  async sender(server, name) {
    const socket = await joinSocket(server.url, name);
    return {
      send: (update) =>
        void socket.emit("sheet:update", { sheetId: name, update }, (ack) => {
          if (!ack.ok) throw new Error(`an update was refused: ${ack.error.code}`);
        }),
      close: () => socket.disconnect(),
    };
  },
  async listener(server, name, onUpdate) {
    const ws = await bareCosheetSocket(server, name, onUpdate);
    return () => ws.close();
  },
};

/** Opens a bare WebSocket; `onMessage` gets each binary message as a decoder. */
async function bareSocket(url: string, onMessage: (d: decoding.Decoder) => void): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.binaryType = "nodebuffer";
  ws.on("message", (data: Buffer) => onMessage(decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return ws;
}

const MESSAGE_SYNC = 0;
const SYNC_UPDATE = 2;
/** Hocuspocus' message types (@hocuspocus/server's MessageType) and its token sub-type. */
const HOCUSPOCUS_AUTH = 2;
const HOCUSPOCUS_TOKEN = 0;

/** A y-protocols sync update message, prefixed with the document's name for Hocuspocus. */
function syncUpdate(update: Uint8Array, documentName?: string): Uint8Array {
  const e = encoding.createEncoder();
  if (documentName !== undefined) encoding.writeVarString(e, documentName);
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, SYNC_UPDATE);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** A bare socket connected to a Hocuspocus document, as its provider connects (token first). */
async function hocuspocusSocket(server: RelayServer, name: string, onUpdate: (update: Uint8Array) => void): Promise<WebSocket> {
  const ws = await bareSocket(wsUrl(server.url), (d) => {
    decoding.readVarString(d); // the document's name
    if (decoding.readVarUint(d) === MESSAGE_SYNC && decoding.readVarUint(d) === SYNC_UPDATE) onUpdate(decoding.readVarUint8Array(d));
  });
  const auth = encoding.createEncoder();
  encoding.writeVarString(auth, name);
  encoding.writeVarUint(auth, HOCUSPOCUS_AUTH);
  encoding.writeVarUint(auth, HOCUSPOCUS_TOKEN);
  encoding.writeVarString(auth, "");
  ws.send(encoding.toUint8Array(auth));
  return ws;
}

export const hocuspocus: Relay = {
  name: "Hocuspocus",
  start: (dataDir) => spawn(dataDir, "bench/peers/hocuspocus-server.ts"),
  newDoc: async () => `doc-${crypto.randomUUID()}`,
  client(server, name) {
    const doc = new Y.Doc();
    const socket = new HocuspocusProviderWebsocket({ url: wsUrl(server.url), WebSocketPolyfill: WebSocket });
    const provider = new HocuspocusProvider({ websocketProvider: socket, name, document: doc });
    provider.attach();
    return {
      doc,
      synced: new Promise((resolve) => provider.on("synced", () => resolve())),
      bytesRead: () => wsBytesRead(socket.webSocket),
      close: () => {
        provider.destroy();
        socket.destroy();
      },
    };
  },
  async sender(server, name) {
    const ws = await hocuspocusSocket(server, name, () => {});
    return {
      send: (update) => ws.send(syncUpdate(update, name)),
      close: () => ws.close(),
    };
  },
  async listener(server, name, onUpdate) {
    const ws = await hocuspocusSocket(server, name, onUpdate);
    return () => ws.close();
  },
};

function yWebsocketSocket(server: RelayServer, name: string, onUpdate: (update: Uint8Array) => void): Promise<WebSocket> {
  return bareSocket(`${wsUrl(server.url)}/${name}`, (d) => {
    if (decoding.readVarUint(d) === MESSAGE_SYNC && decoding.readVarUint(d) === SYNC_UPDATE) onUpdate(decoding.readVarUint8Array(d));
  });
}

export const yWebsocket: Relay = {
  name: "y-websocket",
  start: (dataDir) => spawn(dataDir, "bench/peers/y-websocket-server.ts", { YPERSISTENCE: path.join(dataDir, "y-leveldb") }),
  newDoc: async () => `doc-${crypto.randomUUID()}`,
  client(server, name) {
    const doc = new Y.Doc();
    // Without the BroadcastChannel, which would sync this process' providers with each other in memory.
    const provider = new WebsocketProvider(wsUrl(server.url), name, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
    return {
      doc,
      synced: new Promise((resolve) => provider.on("sync", (synced: boolean) => synced && resolve())),
      bytesRead: () => wsBytesRead(provider.ws),
      close: () => provider.destroy(),
    };
  },
  async sender(server, name) {
    const ws = await yWebsocketSocket(server, name, () => {});
    return {
      send: (update) => ws.send(syncUpdate(update)),
      close: () => ws.close(),
    };
  },
  async listener(server, name, onUpdate) {
    const ws = await yWebsocketSocket(server, name, onUpdate);
    return () => ws.close();
  },
};

export const RELAYS = [cosheet, hocuspocus, yWebsocket];

/** Cosheet as before its large parts were compressed: what that saves, on each link. */
export const cosheetUncompressed: Relay = { ...cosheet, name: "Cosheet, uncompressed", client: (server, name) => cosheetClient(server, name, false) };

/** A fresh data directory for one server; remove it with {@link removeDataDir}. */
export function dataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-bench-relay-"));
}

export function removeDataDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
