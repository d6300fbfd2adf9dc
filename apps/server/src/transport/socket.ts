import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Logger } from "pino";
import type { Server, Socket } from "socket.io";
import * as syncProtocol from "y-protocols/sync";
import type { z } from "zod";
import {
  AwarenessPayloadSchema,
  DirectMessagePayloadSchema,
  ErrorCode,
  fail,
  JoinPayloadSchema,
  LIMITS,
  ok,
  PROTOCOL_VERSION,
  ProtocolError,
  SheetRefSchema,
  SyncPayloadSchema,
  UPDATE_ERROR_CODES,
  UpdatePayloadSchema,
  type Ack,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
} from "@cosheet/protocol";
import { UpdateError } from "@cosheet/sheet";
import { socketOrigin } from "../registry/origin.js";
import type { SheetRegistry } from "../registry/registry.js";
import type { Room } from "../registry/room.js";
import { RateLimiter, socketAddress } from "./rate-limit.js";

export type SheetServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents>;
type SheetSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents>;

export function roomName(sheetId: string): string {
  return `sheet:${sheetId}`;
}

/** Translates a schema failure into the wire's error: a bad sheet id has its own code. */
function invalid(error: z.ZodError): ProtocolError {
  const issue = error.issues[0];
  if (issue?.path[0] === "sheetId") return new ProtocolError(ErrorCode.InvalidSheetId, "malformed sheet id");
  const where = issue?.path.join(".") || "payload";
  return new ProtocolError(ErrorCode.BadRequest, `${where}: ${issue?.message ?? "invalid"}`);
}

/**
 * Binary for the wire, as a Buffer over the same bytes (no copy). The MessagePack encoder writes a
 * Buffer as `bin`, which every decoder reads back as these bytes; a plain Uint8Array would go out
 * as an `ext` holding its whole underlying ArrayBuffer, which browsers do not decode as binary.
 */
function wire(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A stored update as a y-protocols step 2 message. */
function syncStep2Message(update: Uint8Array): Buffer {
  const encoder = encoding.createEncoder();
  syncProtocol.writeUpdate(encoder, update);
  return wire(encoding.toUint8Array(encoder));
}

function checkSize(bytes: Uint8Array): void {
  if (bytes.byteLength > LIMITS.maxUpdateBytes) {
    throw new ProtocolError(
      ErrorCode.UpdateTooLarge,
      `update of ${bytes.byteLength} bytes exceeds the limit of ${LIMITS.maxUpdateBytes}`,
    );
  }
}

export interface SocketTransportOptions {
  /** Count each socket against the address its reverse proxy saw: see {@link socketAddress}. */
  trustProxy: boolean;
  /** Events all sockets of one address may send per second (bursts of three seconds' worth). */
  addressRate: number;
}

/**
 * The socket transport: validates each event, calls the registry, and answers through the ack.
 * It holds no document logic.
 */
export function attachSocketTransport(
  io: SheetServer,
  registry: SheetRegistry,
  logger: Logger,
  { trustProxy, addressRate }: SocketTransportOptions,
): void {
  const limiter = new RateLimiter(
    { perSecond: addressRate, burst: addressRate * (LIMITS.eventsBurstPerAddress / LIMITS.eventsPerSecondPerAddress) },
    { perSecond: LIMITS.eventsPerSecond, burst: LIMITS.eventsBurst },
  );
  io.on("connection", (socket: SheetSocket) => {
    const log = logger.child({ socketId: socket.id });
    const limit = limiter.forSocket(socketAddress(socket.handshake, trustProxy));
    /** Sheets this socket joined. */
    const joined = new Map<string, Room>();

    /**
     * Wraps a handler: rate limit, schema validation, and errors turned into a typed ack. An
     * unexpected error is logged and answered as INTERNAL; the socket and the sheet live on. An
     * event refused by the rate limit counts against no limit, and its error says how long to wait.
     */
    function handle<S extends z.ZodType, R>(schema: S, fn: (payload: z.output<S>) => Promise<R> | R) {
      return async (raw: unknown, ack?: unknown) => {
        const reply = typeof ack === "function" ? (ack as (res: Ack<R>) => void) : () => {};
        try {
          const retryAfterMs = limit();
          if (retryAfterMs > 0) {
            throw new ProtocolError(ErrorCode.RateLimited, "too many events; slow down", retryAfterMs);
          }
          const parsed = schema.safeParse(raw);
          if (!parsed.success) throw invalid(parsed.error);
          reply(ok(await fn(parsed.data)));
        } catch (err) {
          if (err instanceof ProtocolError) {
            reply({ ok: false, error: err.toBody() });
          } else if (err instanceof UpdateError) {
            // An honest client can fall out of sync; only a broken or crafted one sends the rest.
            log[err.problem === "pending" ? "info" : "warn"]({ problem: err.problem, reason: err.message }, "refused an update");
            reply(fail(UPDATE_ERROR_CODES[err.problem], err.message));
          } else {
            log.error({ err }, "socket handler failed");
            reply(fail(ErrorCode.Internal, "internal error"));
          }
        }
      };
    }

    function room(sheetId: string): Room {
      const r = joined.get(sheetId);
      if (!r) throw new ProtocolError(ErrorCode.NotJoined, "join the sheet first");
      return r;
    }

    function leave(sheetId: string): void {
      const r = joined.get(sheetId);
      if (!r) return;
      joined.delete(sheetId);
      void socket.leave(roomName(sheetId));
      r.dropPresence(socket.id);
      registry.release(r, socket.id);
    }

    socket.on(
      "sheet:join",
      handle(JoinPayloadSchema, async ({ sheetId, protocolVersion }) => {
        if (protocolVersion !== PROTOCOL_VERSION) {
          throw new ProtocolError(
            ErrorCode.UnsupportedProtocol,
            `this server speaks protocol ${PROTOCOL_VERSION}; reload the page`,
          );
        }
        const r = joined.get(sheetId) ?? (await registry.acquire(sheetId, socket.id));
        if (socket.disconnected) {
          registry.release(r, socket.id);
          throw new ProtocolError(ErrorCode.Unavailable, "disconnected");
        }
        joined.set(sheetId, r);
        await socket.join(roomName(sheetId));
        return { role: "edit" as const, awareness: wire(r.encodeAwareness()) };
      }),
    );

    socket.on(
      "sheet:leave",
      handle(SheetRefSchema, ({ sheetId }) => {
        leave(sheetId);
        return null;
      }),
    );

    socket.on(
      "sheet:sync",
      handle(SyncPayloadSchema, async ({ sheetId, message }) => {
        const r = room(sheetId);
        checkSize(message);
        let type: number;
        const decoder = decoding.createDecoder(message);
        try {
          type = decoding.readVarUint(decoder);
        } catch {
          throw new UpdateError("not a sync message");
        }
        if (type === syncProtocol.messageYjsSyncStep1) {
          const stored = r.takeStoredState();
          if (stored) return { messages: stored.map(syncStep2Message) };
          const step2 = encoding.createEncoder();
          try {
            syncProtocol.readSyncStep1(decoder, step2, r.doc);
          } catch {
            throw new UpdateError("malformed state vector");
          }
          const step1 = encoding.createEncoder();
          syncProtocol.writeSyncStep1(step1, r.doc);
          return { messages: [wire(encoding.toUint8Array(step2)), wire(encoding.toUint8Array(step1))] };
        }
        if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
          let update: Uint8Array;
          try {
            update = decoding.readVarUint8Array(decoder);
          } catch {
            throw new UpdateError("truncated sync message");
          }
          await r.apply(update, socketOrigin(socket.id));
          return { messages: [] };
        }
        throw new UpdateError(`unknown sync message type ${type}`);
      }),
    );

    socket.on(
      "sheet:update",
      handle(UpdatePayloadSchema, async ({ sheetId, update }) => {
        const r = room(sheetId);
        checkSize(update);
        await r.apply(update, socketOrigin(socket.id));
        return null;
      }),
    );

    socket.on(
      "awareness:update",
      handle(AwarenessPayloadSchema, ({ sheetId, update }) => {
        const r = room(sheetId);
        checkSize(update);
        r.applyAwareness(update, socket.id);
        return null;
      }),
    );

    socket.on(
      "chat:direct",
      handle(DirectMessagePayloadSchema, ({ sheetId, to, text }) => {
        const r = room(sheetId);
        const from = r.clientOf(socket.id);
        if (from === null) throw new ProtocolError(ErrorCode.BadRequest, "share your presence before messaging");
        const target = r.socketOf(to);
        if (target === null) throw new ProtocolError(ErrorCode.NotFound, "that person is not here any more");
        io.to(target).emit("chat:direct", { sheetId, from, text, at: Date.now() });
        return null;
      }),
    );

    socket.on("disconnect", () => {
      for (const sheetId of [...joined.keys()]) leave(sheetId);
    });
  });
}

/** Room hooks that send through Socket.IO (and through its adapter to other nodes). */
export function socketBroadcaster(io: SheetServer) {
  return {
    broadcastUpdate(sheetId: string, update: Uint8Array, except: string | null): void {
      const target = except ? io.to(roomName(sheetId)).except(except) : io.to(roomName(sheetId));
      target.emit("sheet:update", { sheetId, update: wire(update) });
    },
    broadcastAwareness(sheetId: string, update: Uint8Array, except: string | null): void {
      const target = except ? io.to(roomName(sheetId)).except(except) : io.to(roomName(sheetId));
      target.volatile.emit("awareness:update", { sheetId, update: wire(update) });
    },
  };
}
