import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

/**
 * A checkpoint stored as one blob: a single Yjs update (as every release before parts wrote), or
 * several (see `stateInParts`), framed as `00 00 50 01`, their count and each with its length. No
 * Yjs encoder writes a blob that starts with `00 00` and goes on (that is the empty update, two
 * bytes long), so the two cannot be confused.
 */
const MAGIC = [0x00, 0x00, 0x50, 0x01];

/** Packs a state's updates into one blob; a single update is stored as it is. */
export function packState(updates: readonly Uint8Array[]): Uint8Array {
  if (updates.length === 1) return updates[0]!;
  const encoder = encoding.createEncoder();
  for (const byte of MAGIC) encoding.writeUint8(encoder, byte);
  encoding.writeVarUint(encoder, updates.length);
  for (const update of updates) encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** The updates a blob written by {@link packState} (or a previous release) holds, in order. */
export function unpackState(blob: Uint8Array): Uint8Array[] {
  if (blob.length <= MAGIC.length || MAGIC.some((byte, i) => blob[i] !== byte)) return [blob];
  const decoder = decoding.createDecoder(blob.subarray(MAGIC.length));
  const count = decoding.readVarUint(decoder);
  return Array.from({ length: count }, () => decoding.readVarUint8Array(decoder));
}
