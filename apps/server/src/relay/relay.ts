import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

/**
 * What the nodes serving a sheet tell each other about it. None of it is the record: the log in
 * the database is. An update's message rings a doorbell with its place in the log, so a node that
 * missed one (or hears them out of order) reads what it lacks from the log.
 */
export type SheetMessage =
  /** An update stored at `seq`; `update` is null when it is too large to carry (read it from the log). */
  | { type: "update"; seq: number; update: Uint8Array | null }
  /** A presence update from the node's sockets (they alone speak for those client ids). */
  | { type: "awareness"; update: Uint8Array }
  /** A node that just opened the sheet asks the others for their sockets' presence. */
  | { type: "presence?" }
  /** A direct chat message to presence client `to`, from presence client `from`. */
  | { type: "direct"; to: number; from: number; text: string; at: number }
  /** A link (or the plain address, for null) no longer gives access: drop the sockets that used it. */
  | { type: "closed"; linkId: string | null };

/** A message and the node it came from. */
export interface Heard {
  node: string;
  message: SheetMessage;
}

/**
 * Carries messages between the nodes that serve the same sheets. Publishing is best effort: a
 * message may be lost, delayed or heard twice, and what depends on it (the document) recovers
 * from the log; see {@link SheetMessage}.
 */
export interface Relay {
  readonly kind: "redis";
  /** This node's id: messages carry it, and a node does not act on its own. */
  readonly node: string;
  /** Starts hearing a sheet's messages from other nodes; resolves once they will be heard. */
  join(sheetId: string, listener: (heard: Heard) => void): Promise<void>;
  /** Stops hearing a sheet's messages. */
  leave(sheetId: string): void;
  publish(sheetId: string, message: SheetMessage): void;
  /**
   * Calls `listener` each time the relay is connected again after losing its connection: what
   * was published meanwhile was not heard.
   */
  onReconnect(listener: () => void): void;
  /** Resolves once the relay answers; rejects if it cannot (for `/healthz`). */
  check(): Promise<void>;
  close(): Promise<void>;
}

const TYPES = ["update", "awareness", "presence?", "direct", "closed"] as const;

export function encodeMessage(node: string, message: SheetMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, TYPES.indexOf(message.type));
  encoding.writeVarString(encoder, node);
  switch (message.type) {
    case "update":
      encoding.writeVarUint(encoder, message.seq);
      encoding.writeUint8(encoder, message.update === null ? 0 : 1);
      if (message.update !== null) encoding.writeVarUint8Array(encoder, message.update);
      break;
    case "awareness":
      encoding.writeVarUint8Array(encoder, message.update);
      break;
    case "presence?":
      break;
    case "direct":
      encoding.writeVarUint(encoder, message.to);
      encoding.writeVarUint(encoder, message.from);
      encoding.writeVarString(encoder, message.text);
      encoding.writeVarUint(encoder, message.at);
      break;
    case "closed":
      encoding.writeUint8(encoder, message.linkId === null ? 0 : 1);
      if (message.linkId !== null) encoding.writeVarString(encoder, message.linkId);
      break;
  }
  return encoding.toUint8Array(encoder);
}

/** A flag byte: 1 or 0, anything else is not a message. */
function readFlag(decoder: decoding.Decoder): boolean {
  const flag = decoding.readUint8(decoder);
  if (flag > 1) throw new Error("not a sheet message");
  return flag === 1;
}

/** Reads a message; throws for bytes that are not one. */
export function decodeMessage(bytes: Uint8Array): Heard {
  const decoder = decoding.createDecoder(bytes);
  const type = TYPES[decoding.readVarUint(decoder)];
  const node = decoding.readVarString(decoder);
  let message: SheetMessage;
  switch (type) {
    case "update": {
      const seq = decoding.readVarUint(decoder);
      message = { type, seq, update: readFlag(decoder) ? decoding.readVarUint8Array(decoder) : null };
      break;
    }
    case "awareness":
      message = { type, update: decoding.readVarUint8Array(decoder) };
      break;
    case "presence?":
      message = { type };
      break;
    case "direct":
      message = {
        type,
        to: decoding.readVarUint(decoder),
        from: decoding.readVarUint(decoder),
        text: decoding.readVarString(decoder),
        at: decoding.readVarUint(decoder),
      };
      break;
    case "closed":
      message = { type, linkId: readFlag(decoder) ? decoding.readVarString(decoder) : null };
      break;
    default:
      throw new Error("not a sheet message");
  }
  if (decoding.hasContent(decoder)) throw new Error("trailing bytes after a sheet message");
  return { node, message };
}
