import { setImmediate as nextTurn } from "node:timers/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Logger } from "pino";
import type { Server, Socket } from "socket.io";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { z } from "zod";
import {
  AwarenessPayloadSchema,
  COMMENT_ERROR_CODES,
  CommentPayloadSchema,
  DirectMessagePayloadSchema,
  ErrorCode,
  fail,
  JoinPayloadSchema,
  LIMITS,
  ok,
  PROTOCOL_VERSION,
  ProtocolError,
  SheetRefSchema,
  stateInParts,
  SyncPayloadSchema,
  UPDATE_ERROR_CODES,
  UpdatePayloadSchema,
  personId,
  roleAtLeast,
  type Ack,
  type ErrorBody,
  type ClientToServerEvents,
  type InterServerEvents,
  type Role,
  type ServerToClientEvents,
} from "@cosheet/protocol";
import { CommentError, DISCUSSION_TYPES, ROOT_RULES, UpdateError, type ValidateOptions } from "@cosheet/sheet";
import type { Access, Grant } from "../access/access.js";
import { socketOrigin } from "../registry/origin.js";
import type { SheetRegistry } from "../registry/registry.js";
import type { DirectMessage, Room, RoomHooks } from "../registry/room.js";
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

/** The server's own step 1 (its state vector), for the client to answer with what it lacks. */
function syncStep1Message(doc: Y.Doc): Buffer {
  const encoder = encoding.createEncoder();
  syncProtocol.writeSyncStep1(encoder, doc);
  return wire(encoding.toUint8Array(encoder));
}

/**
 * Parts of at least this many bytes are compressed for a client that asks: a sheet's state
 * deflates to about a sixth, and smaller parts gain too little to pay for the trip to zlib.
 */
const COMPRESSED_PART_BYTES = 4096;

const zlibDeflate = promisify(zlib.deflate);

/**
 * DEFLATE in the zlib format at its fastest level (which also packs a sheet's state best), in
 * libuv's thread pool: the event loop serves others meanwhile.
 */
function deflate(bytes: Uint8Array): Promise<Buffer> {
  return zlibDeflate(bytes, { level: zlib.constants.Z_BEST_SPEED });
}

/**
 * Resolves once the socket's transport has written out what it was given (a client that stops
 * reading holds one part in the server's memory, not the whole state), or it closed or changed.
 */
function writable(socket: SheetSocket): Promise<void> {
  const conn = socket.conn;
  const transport = conn.transport;
  if (transport.writable || socket.disconnected) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      transport.off("drain", done);
      conn.off("upgrade", done);
      conn.off("close", done);
      resolve();
    };
    transport.on("drain", done);
    conn.on("upgrade", done);
    conn.on("close", done);
  });
}

function checkSize(bytes: Uint8Array): void {
  if (bytes.byteLength > LIMITS.maxUpdateBytes) {
    throw new ProtocolError(
      ErrorCode.UpdateTooLarge,
      `update of ${bytes.byteLength} bytes exceeds the limit of ${LIMITS.maxUpdateBytes}`,
    );
  }
}

/**
 * What a role may change in a sheet's document (see `validateUpdate`). A commenter adds to the
 * discussion types that clients write (the chat); the comments are the server's to write.
 */
const WRITABLE: Record<Role, ValidateOptions> = {
  view: { writable: new Set() },
  comment: { writable: new Set(DISCUSSION_TYPES.filter((name) => !ROOT_RULES[name]?.serverOnly)) },
  edit: {},
  owner: {},
};

/** Longest delay a timer takes (about 24.8 days); an expiry further away is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A socket in a sheet, as access changes see it. */
interface Member {
  grant: Grant;
  /** When it joined (performance.now()). */
  joinedAt: number;
  /** Takes the socket out of the sheet and tells it why. */
  close(error: ErrorBody): void;
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
  access: Access,
  logger: Logger,
  { trustProxy, addressRate }: SocketTransportOptions,
): void {
  const limiter = new RateLimiter(
    { perSecond: addressRate, burst: addressRate * (LIMITS.eventsBurstPerAddress / LIMITS.eventsPerSecondPerAddress) },
    { perSecond: LIMITS.eventsPerSecond, burst: LIMITS.eventsBurst },
  );
  const commentLimiter = new RateLimiter(
    { perSecond: LIMITS.commentsPerSecondPerAddress, burst: LIMITS.commentsBurstPerAddress },
    { perSecond: LIMITS.commentsPerSecond, burst: LIMITS.commentsBurst },
  );
  /** Every socket in each sheet, by socket id, so that revoking a link reaches its sockets at once. */
  const members = new Map<string, Map<string, Member>>();
  /**
   * How many times access to each sheet was taken away, so that a join whose grant was looked up
   * before a revoke, and that enters after it, sees that and looks again.
   */
  const closures = new Map<string, number>();
  /** Closes the sheet for its members whose access is `gone`; answers how many. */
  const closeWhere = (sheetId: string, gone: (linkId: string | null, joinedAt: number) => boolean): number => {
    let closed = 0;
    for (const member of [...(members.get(sheetId)?.values() ?? [])]) {
      const { linkId } = member.grant;
      if (!gone(linkId, member.joinedAt)) continue;
      closed++;
      member.close({
        code: ErrorCode.Unauthorized,
        message:
          linkId === null
            ? "This sheet's plain address no longer gives access: ask its owner for a link"
            : "This link no longer gives access",
      });
    }
    return closed;
  };
  access.onClosed(
    ({ sheetId, linkId }) => {
      closures.set(sheetId, (closures.get(sheetId) ?? 0) + 1);
      closeWhere(sheetId, (id) => id === linkId);
    },
    ({ sheetId, plainAddress, links, asOf }) => {
      const live = new Set(links);
      // A socket that joined since the storage was asked may have a link made since. Access went
      // without this node hearing of it: a join under way looks again, as for a revoke heard.
      const closed = closeWhere(sheetId, (id, joinedAt) => joinedAt < asOf && (id === null ? !plainAddress : !live.has(id)));
      if (closed > 0) closures.set(sheetId, (closures.get(sheetId) ?? 0) + 1);
    },
  );

  io.on("connection", (socket: SheetSocket) => {
    const log = logger.child({ socketId: socket.id });
    const address = socketAddress(socket.handshake, trustProxy);
    const limit = limiter.forSocket(address);
    const commentLimit = commentLimiter.forSocket(address);
    /** The latest sync in parts of each sheet: an earlier one still sending stops (its client moved on). */
    const streams = new Map<string, number>();
    let streamCount = 0;
    /** Sheets this socket joined, with what it may do there and its person id there (`""`: none). */
    const joined = new Map<string, { room: Room; grant: Grant; person: string; expiry: NodeJS.Timeout | null }>();

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
          } else if (err instanceof CommentError) {
            reply(fail(COMMENT_ERROR_CODES[err.reason], err.message));
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

    function membership(sheetId: string) {
      const m = joined.get(sheetId);
      if (!m) throw new ProtocolError(ErrorCode.NotJoined, "join the sheet first");
      return m;
    }

    function room(sheetId: string): Room {
      return membership(sheetId).room;
    }

    function leave(sheetId: string): void {
      const m = joined.get(sheetId);
      if (!m) return;
      joined.delete(sheetId);
      streams.delete(sheetId);
      if (m.expiry) clearTimeout(m.expiry);
      members.get(sheetId)?.delete(socket.id);
      if (members.get(sheetId)?.size === 0) members.delete(sheetId);
      void socket.leave(roomName(sheetId));
      m.room.dropPresence(socket.id);
      registry.release(m.room, socket.id);
    }

    /** Takes the socket out of a sheet it may no longer be in, and tells it why. */
    function close(sheetId: string, error: ErrorBody): void {
      if (!joined.has(sheetId)) return;
      leave(sheetId);
      socket.emit("sheet:closed", { sheetId, error });
    }

    /** Closes the sheet for this socket when its link expires. */
    function expireAt(sheetId: string, at: number): NodeJS.Timeout {
      const timer = setTimeout(
        () => {
          const m = joined.get(sheetId);
          if (!m || m.expiry !== timer) return;
          if (Date.now() < at) m.expiry = expireAt(sheetId, at);
          else close(sheetId, { code: ErrorCode.Unauthorized, message: "This link has expired" });
        },
        Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
      );
      timer.unref();
      return timer;
    }

    function enter(sheetId: string, room: Room, grant: Grant, person: string): void {
      const previous = joined.get(sheetId);
      if (previous?.expiry) clearTimeout(previous.expiry);
      const expiry = grant.expiresAt === null ? null : expireAt(sheetId, grant.expiresAt);
      joined.set(sheetId, { room, grant, person, expiry });
      let inSheet = members.get(sheetId);
      if (!inSheet) members.set(sheetId, (inSheet = new Map()));
      inSheet.set(socket.id, { grant, joinedAt: performance.now(), close: (error) => close(sheetId, error) });
    }

    /** Applies an update from this socket with what its role may change. */
    function applyUpdate(sheetId: string, update: Uint8Array): Promise<void> {
      const { room: r, grant } = membership(sheetId);
      return r.apply(update, socketOrigin(socket.id, grant.linkId), WRITABLE[grant.role]);
    }

    socket.on(
      "sheet:join",
      handle(JoinPayloadSchema, async ({ sheetId, protocolVersion, secret, person }) => {
        if (protocolVersion !== PROTOCOL_VERSION) {
          throw new ProtocolError(
            ErrorCode.UnsupportedProtocol,
            `this server speaks protocol ${PROTOCOL_VERSION}; reload the page`,
          );
        }
        // Checked before the sheet is loaded: nothing of it is read for a client without access.
        let seen = closures.get(sheetId);
        const asked = performance.now();
        let grant = await access.grant(sheetId, secret, address);
        const personInSheet = person === undefined ? "" : await personId(sheetId, person);
        const r = joined.get(sheetId)?.room ?? (await registry.acquire(sheetId, socket.id));
        try {
          // A link revoked while this join waited, here or (before the room opened and so heard of
          // revokes) on another node: look again (it then fails, or grants anew).
          if (r.openedAt > asked) grant = await access.grant(sheetId, secret, address);
          while (closures.get(sheetId) !== seen) {
            seen = closures.get(sheetId);
            grant = await access.grant(sheetId, secret, address);
          }
        } catch (err) {
          if (!joined.has(sheetId)) registry.release(r, socket.id);
          throw err;
        }
        if (socket.disconnected) {
          if (!joined.has(sheetId)) registry.release(r, socket.id);
          throw new ProtocolError(ErrorCode.Unavailable, "disconnected");
        }
        enter(sheetId, r, grant, personInSheet);
        await socket.join(roomName(sheetId));
        return { role: grant.role, awareness: wire(r.encodeAwareness()) };
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
      handle(SyncPayloadSchema, async ({ sheetId, message, parts, compression }) => {
        const r = room(sheetId);
        checkSize(message);
        let type: number;
        const decoder = decoding.createDecoder(message);
        try {
          type = decoding.readVarUint(decoder);
        } catch {
          throw new UpdateError("not a sync message");
        }
        if (type === syncProtocol.messageYjsSyncStep1 && message.byteLength > LIMITS.maxStateVectorBytes) {
          throw new ProtocolError(ErrorCode.UpdateTooLarge, `a state vector of more than ${LIMITS.maxStateVectorBytes} bytes`);
        }
        if (type === syncProtocol.messageYjsSyncStep1 && parts) {
          let since: Map<number, number>;
          try {
            since = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
          } catch {
            throw new UpdateError("malformed state vector");
          }
          // The state in parts, one per turn: the page shows each as it comes, and other sheets
          // are served in between; each once the socket has written out the last, so a client
          // that stops reading holds one part here (and the next being compressed). A sheet just
          // loaded sends its stored updates (a checkpoint is stored in parts) and builds its
          // document after: its answer has no step 1, so the client asks again then.
          const stored = r.storedState;
          const stream = ++streamCount;
          streams.set(sheetId, stream);
          const goOn = () => {
            if (socket.disconnected || joined.get(sheetId)?.room !== r) throw new ProtocolError(ErrorCode.Unavailable, "left the sheet");
            if (streams.get(sheetId) !== stream) throw new ProtocolError(ErrorCode.Unavailable, "a later sync of this sheet replaced this one");
          };
          for (const part of stored ?? stateInParts(r.doc, since)) {
            const payload = compression && part.byteLength >= COMPRESSED_PART_BYTES
              ? { sheetId, update: await deflate(part), compression }
              : { sheetId, update: wire(part) };
            await writable(socket);
            goOn();
            socket.emit("sheet:part", payload);
            await nextTurn();
            goOn();
          }
          if (stored) {
            r.takeStoredState();
            return { messages: [] };
          }
          return { messages: [syncStep1Message(r.doc)] };
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
          return { messages: [wire(encoding.toUint8Array(step2)), syncStep1Message(r.doc)] };
        }
        if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
          let update: Uint8Array;
          try {
            update = decoding.readVarUint8Array(decoder);
          } catch {
            throw new UpdateError("truncated sync message");
          }
          await applyUpdate(sheetId, update);
          return { messages: [] };
        }
        throw new UpdateError(`unknown sync message type ${type}`);
      }),
    );

    socket.on(
      "sheet:update",
      handle(UpdatePayloadSchema, async ({ sheetId, update }) => {
        checkSize(update);
        await applyUpdate(sheetId, update);
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
        const { room: r, grant } = membership(sheetId);
        if (!roleAtLeast(grant.role, "comment")) throw new ProtocolError(ErrorCode.Forbidden, "this link can only view");
        const from = r.clientOf(socket.id);
        if (from === null) throw new ProtocolError(ErrorCode.BadRequest, "share your presence before messaging");
        if (!r.direct(to, from, text)) throw new ProtocolError(ErrorCode.NotFound, "that person is not here any more");
        return null;
      }),
    );

    socket.on(
      "comment:post",
      handle(CommentPayloadSchema, ({ sheetId, comment }) => {
        const { room: r, grant, person } = membership(sheetId);
        if (!roleAtLeast(grant.role, "comment")) throw new ProtocolError(ErrorCode.Forbidden, "this link can only view");
        const retryAfterMs = commentLimit();
        if (retryAfterMs > 0) throw new ProtocolError(ErrorCode.RateLimited, "too many comments; slow down", retryAfterMs);
        // An editor may delete anyone's comment (spam, say): the delete is marked as moderated.
        return r.comment(comment, { socketId: socket.id, linkId: grant.linkId, person, moderator: roleAtLeast(grant.role, "edit") }).then(() => null);
      }),
    );

    socket.on("disconnect", () => {
      for (const sheetId of [...joined.keys()]) leave(sheetId);
    });
  });
}

/** Room hooks that send through Socket.IO to this node's sockets. */
export function socketBroadcaster(io: SheetServer): Omit<RoomHooks, "accessClosed" | "accessLive"> {
  return {
    broadcastUpdate(sheetId: string, update: Uint8Array, except: string | null): void {
      const target = except ? io.to(roomName(sheetId)).except(except) : io.to(roomName(sheetId));
      target.emit("sheet:update", { sheetId, update: wire(update) });
    },
    broadcastAwareness(sheetId: string, update: Uint8Array, except: string | null): void {
      const target = except ? io.to(roomName(sheetId)).except(except) : io.to(roomName(sheetId));
      target.volatile.emit("awareness:update", { sheetId, update: wire(update) });
    },
    sendDirect(socketId: string, message: DirectMessage): void {
      io.to(socketId).emit("chat:direct", message);
    },
  };
}
