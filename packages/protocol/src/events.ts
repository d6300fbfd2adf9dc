import type { Ack, ErrorBody } from "./errors.js";
import type { Role } from "./roles.js";
import type {
  AwarenessPayload,
  CommentPayload,
  DirectMessage,
  DirectMessagePayload,
  JoinPayload,
  PartCompression,
  SheetRef,
  SyncPayload,
  UpdatePayload,
} from "./schemas.js";

export interface JoinResult {
  /** What this socket may do in the sheet (see {@link Role}); the server enforces it. */
  role: Role;
  /** Presence of the people already in the sheet (a y-protocols awareness update). */
  awareness: Uint8Array;
}

export interface SyncResult {
  /**
   * y-protocols sync messages for the client to read in order. For a step 1: step 2 messages
   * (what the client lacks), then the server's own step 1, to be answered with a step 2. A server
   * still building a just-loaded sheet sends the stored updates and no step 1; the client then
   * syncs again. A step 1 sent with `parts` has the whole state it lacks sent ahead as
   * `sheet:part` events: the answer then holds no step 2.
   */
  messages: Uint8Array[];
}

/** Events a client sends. Every one that changes state is acknowledged with an {@link Ack}. */
export interface ClientToServerEvents {
  /** Enter a sheet's room. */
  "sheet:join": (payload: JoinPayload, ack: (res: Ack<JoinResult>) => void) => void;
  /** Leave a sheet's room (disconnecting leaves every room). */
  "sheet:leave": (payload: SheetRef, ack: (res: Ack<null>) => void) => void;
  /**
   * A y-protocols sync message. A step 1 is answered with sync messages (see {@link SyncResult});
   * a step 2 or update is acknowledged once it is applied and durably stored.
   */
  "sheet:sync": (payload: SyncPayload, ack: (res: Ack<SyncResult>) => void) => void;
  /** A Yjs update, acknowledged once it is applied and durably stored. */
  "sheet:update": (payload: UpdatePayload, ack: (res: Ack<null>) => void) => void;
  /** Presence: cursor, selection, name, colour. Not acknowledged, not stored. */
  "awareness:update": (payload: AwarenessPayload) => void;
  /**
   * A private message to one person here, delivered to them alone and never stored. Refused with
   * NOT_FOUND when they are not here.
   */
  "chat:direct": (payload: DirectMessagePayload, ack: (res: Ack<null>) => void) => void;
  /**
   * A comment event (open a thread, reply, edit, delete, resolve, reopen), written by the server
   * into the sheet's comments with the author and time stamped, and acknowledged once stored. An
   * event whose id the sheet already has is acknowledged without writing it again.
   */
  "comment:post": (payload: CommentPayload, ack: (res: Ack<null>) => void) => void;
}

/** Events the server sends. */
export interface ServerToClientEvents {
  /** Updates made by others (merged when several arrive in one server tick). */
  "sheet:update": (payload: UpdatePayload) => void;
  /**
   * A part of the state a sync with `parts` asked for, in order, before its answer: each a Yjs
   * update that depends only on what came before it, small enough to apply between two frames.
   */
  "sheet:part": (payload: PartPayload) => void;
  "awareness:update": (payload: AwarenessPayload) => void;
  "chat:direct": (message: DirectMessage) => void;
  /**
   * The socket is no longer in the sheet and may not join again as it did: its link was revoked
   * or expired (`UNAUTHORIZED`), or the plain address it used was switched off.
   */
  "sheet:closed": (payload: SheetClosed) => void;
}

/** A part of a sheet's state: a Yjs update, compressed if `compression` says how. */
export interface PartPayload {
  sheetId: string;
  update: Uint8Array;
  compression?: PartCompression;
}

export interface SheetClosed {
  sheetId: string;
  error: ErrorBody;
}

/** Events between server nodes (scale-out). */
export interface InterServerEvents {
  ping: () => void;
}
