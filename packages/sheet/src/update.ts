import * as Y from "yjs";
import { ROOT_TYPES } from "./schema.js";

export class UpdateError extends Error {
  override readonly name = "UpdateError";
}

/**
 * Checks that bytes are a well-formed Yjs update that only writes the sheet's own shared types,
 * before anything is applied: garbage is refused instead of growing a document with stray types.
 */
export function validateUpdate(update: Uint8Array): void {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new UpdateError("not a Yjs update");
  }
  for (const struct of decoded.structs) {
    // In a decoded update, a top-level item names its shared type by a string.
    const parent: unknown = struct instanceof Y.Item ? struct.parent : null;
    if (typeof parent === "string" && !ROOT_TYPES.has(parent)) {
      throw new UpdateError(`update writes an unknown shared type "${parent.slice(0, 40)}"`);
    }
  }
}
