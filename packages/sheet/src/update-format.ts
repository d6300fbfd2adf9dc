import * as decoding from "lib0/decoding";

/**
 * A Yjs update (format v1) read into plain records, without building anything from it: Yjs's own
 * decoder makes a document for every embedded subdocument and a type for every nested type, so a
 * small crafted update could cost seconds and hundreds of megabytes before any check ran. Content
 * a sheet never holds is refused as soon as its kind is read.
 */

export interface StructId {
  client: number;
  clock: number;
}

export interface StructRecord {
  client: number;
  clock: number;
  length: number;
  kind: "gc" | "skip" | "item";
  origin: StructId | null;
  rightOrigin: StructId | null;
  /** A root type's name, a nested type's item, or null when inherited from a neighbour. */
  parent: string | StructId | null;
  /** The map key, when stated. */
  parentSub: string | null;
  /** The values of `Any` content; null for deleted content (and for GC and skip structs). */
  values: unknown[] | null;
}

export interface UpdateRecords {
  structs: StructRecord[];
  /** Deleted ranges per client. */
  deletes: Map<number, { clock: number; len: number }[]>;
}

/** Content kinds by their number in the format; a sheet holds only `Any` and `Deleted`. */
const CONTENT_KINDS = ["GC", "deleted", "JSON", "binary", "string", "embed", "format", "type", "any", "subdocument", "skip"];
const CONTENT_DELETED = 1;
const CONTENT_ANY = 8;

/** Thrown for bytes that are not a v1 update. */
export class UpdateFormatError extends Error {
  override readonly name = "UpdateFormatError";
}

/** Thrown for content of a kind no sheet holds (text, a nested type, a subdocument, …). */
export class ForeignContentError extends Error {
  override readonly name = "ForeignContentError";

  constructor(readonly kind: string) {
    super(`${kind} content`);
  }
}

function readId(decoder: decoding.Decoder): StructId {
  return { client: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder) };
}

function readStruct(decoder: decoding.Decoder, client: number, clock: number): StructRecord {
  const info = decoding.readUint8(decoder);
  const ref = info & 0b11111;
  const record: StructRecord = {
    client,
    clock,
    length: 0,
    kind: "item",
    origin: null,
    rightOrigin: null,
    parent: null,
    parentSub: null,
    values: null,
  };
  if (ref === 0 || ref === 10) {
    record.kind = ref === 0 ? "gc" : "skip";
    record.length = decoding.readVarUint(decoder);
    return record;
  }
  if (info & 0b1000_0000) record.origin = readId(decoder);
  if (info & 0b0100_0000) record.rightOrigin = readId(decoder);
  if ((info & 0b1100_0000) === 0) {
    record.parent = decoding.readVarUint(decoder) === 1 ? decoding.readVarString(decoder) : readId(decoder);
    if (info & 0b0010_0000) record.parentSub = decoding.readVarString(decoder);
  }
  if (ref === CONTENT_DELETED) {
    record.length = decoding.readVarUint(decoder);
  } else if (ref === CONTENT_ANY) {
    const count = decoding.readVarUint(decoder);
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) values.push(decoding.readAny(decoder));
    record.values = values;
    record.length = count;
  } else {
    throw new ForeignContentError(CONTENT_KINDS[ref] ?? `unknown (${ref})`);
  }
  if (record.length < 1) throw new UpdateFormatError("a struct of no length");
  return record;
}

/**
 * Reads a v1 update's structs and deletions. Throws {@link UpdateFormatError} for bytes that are
 * not one and {@link ForeignContentError} for content other than values and deletions.
 */
export function readUpdateRecords(update: Uint8Array): UpdateRecords {
  const decoder = decoding.createDecoder(update);
  const structs: StructRecord[] = [];
  const deletes = new Map<number, { clock: number; len: number }[]>();
  try {
    const clients = decoding.readVarUint(decoder);
    for (let i = 0; i < clients; i++) {
      const count = decoding.readVarUint(decoder);
      const client = decoding.readVarUint(decoder);
      let clock = decoding.readVarUint(decoder);
      for (let j = 0; j < count; j++) {
        const struct = readStruct(decoder, client, clock);
        structs.push(struct);
        clock += struct.length;
      }
    }
    const deleting = decoding.readVarUint(decoder);
    for (let i = 0; i < deleting; i++) {
      const client = decoding.readVarUint(decoder);
      const ranges: { clock: number; len: number }[] = [];
      const count = decoding.readVarUint(decoder);
      for (let j = 0; j < count; j++) ranges.push({ clock: decoding.readVarUint(decoder), len: decoding.readVarUint(decoder) });
      deletes.set(client, [...(deletes.get(client) ?? []), ...ranges]);
    }
  } catch (err) {
    if (err instanceof ForeignContentError || err instanceof UpdateFormatError) throw err;
    throw new UpdateFormatError("not a Yjs update");
  }
  return { structs, deletes };
}
