import * as encoding from "lib0/encoding";
import * as Y from "yjs";

/** What one part holds at most, in Yjs items' lengths (a cell's value is 1): ~20 ms to integrate. */
export const PART_LENGTH = 10_000;

type Struct = Y.Item | Y.GC;

/** A run of structs of one client, from `clock` on; the first is written from `offset` on. */
interface Run {
  clock: number;
  offset: number;
  structs: Struct[];
}

/**
 * Writes a document's state (what a peer lacks that holds `sent`, a decoded state vector) as a
 * series of Yjs updates, each at most about `maxLength` long, to be applied one after the other
 * with the page free in between. Each part holds only structs whose dependencies (the items they
 * were inserted beside, their parent) are in the peer's state or an earlier part, so none waits in
 * Yjs' pending store and each shows what it holds as it arrives; what a part holds that is deleted
 * is deleted in it. The last part is the whole delete set, as in a single update.
 *
 * The parts are written lazily from the document as it is when each is taken: a caller may yield
 * between them, and changes made meanwhile are either in a later part or sent to the peer anyway.
 * Applying every part gives the same state as `Y.encodeStateAsUpdate(doc, sent)` (encoded).
 */
export function* stateInParts(doc: Y.Doc, sent: Map<number, number> = new Map(), maxLength = PART_LENGTH): Generator<Uint8Array> {
  const clients = doc.store.clients as Map<number, Struct[]>;
  const have = (client: number) => sent.get(client) ?? 0;
  const state = (client: number) => {
    const structs = clients.get(client);
    const last = structs?.[structs.length - 1];
    return last ? last.id.clock + last.length : 0;
  };
  /** One the document lacks too would never come: it is the peer's to wait for, as in one update. */
  const lacks = (id: Y.ID | null): id is Y.ID => id !== null && id.clock >= have(id.client) && id.clock < state(id.client);
  /** A dependency of a struct (from `offset` on) the peer will not have yet, if any. */
  const unmet = (struct: Struct, offset: number): Y.ID | null => {
    if (!(struct instanceof Y.Item)) return null;
    if (lacks(struct.rightOrigin)) return struct.rightOrigin;
    if (offset > 0) return null;
    if (struct.origin) return lacks(struct.origin) ? struct.origin : null;
    // Without neighbours, its parent is written: a nested type's item is needed first.
    const parent = (struct.parent as Y.AbstractType<unknown> | null)?._item?.id ?? null;
    return struct.rightOrigin === null && lacks(parent) ? parent : null;
  };

  /** Where each client's next struct was found last: a hint, as structs may split or merge meanwhile. */
  const cursor = new Map<number, number>();
  const indexOf = (client: number, structs: Struct[], clock: number) => {
    const i = cursor.get(client) ?? 0;
    const at = structs[i];
    return at && at.id.clock <= clock && clock < at.id.clock + at.length ? i : Y.findIndexSS(structs, clock);
  };

  for (;;) {
    const runs = new Map<number, Run>();
    let length = 0;
    const pending = [...clients.keys()].filter((client) => have(client) < state(client));
    if (pending.length === 0) break;
    // Depth first over the clients, as Yjs integrates: a struct whose dependency another client
    // holds waits until that client's structs up to it are taken.
    for (const root of pending) {
      const stack = [root];
      while (stack.length > 0 && length < maxLength) {
        const client = stack[stack.length - 1]!;
        const structs = clients.get(client)!;
        let clock = have(client);
        let i = clock < state(client) ? indexOf(client, structs, clock) : structs.length;
        if (i >= structs.length) {
          stack.pop();
          continue;
        }
        let run = runs.get(client);
        while (i < structs.length && length < maxLength) {
          const struct = structs[i]!;
          const offset = clock - struct.id.clock;
          const dep = unmet(struct, offset);
          if (dep) {
            stack.push(dep.client);
            break;
          }
          if (!run) runs.set(client, (run = { clock, offset, structs: [] }));
          run.structs.push(struct);
          clock = struct.id.clock + struct.length;
          length += struct.length - offset;
          i++;
          // Back to the client that waited on this one: what it waits on may be here now.
          if (stack.length > 1) {
            stack.pop();
            break;
          }
        }
        sent.set(client, clock);
        cursor.set(client, i);
      }
      if (length >= maxLength) break;
    }
    yield encodePart(runs);
  }
  yield Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc));
}

/** A Yjs update (v1) of runs of structs, with a delete set of those of them that are deleted. */
function encodePart(runs: Map<number, Run>): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  const out = encoder.restEncoder;
  encoding.writeVarUint(out, runs.size);
  const deleted = new Map<number, [number, number][]>();
  for (const [client, run] of runs) {
    encoding.writeVarUint(out, run.structs.length);
    encoder.writeClient(client);
    encoding.writeVarUint(out, run.clock);
    const ranges: [number, number][] = [];
    for (const [i, struct] of run.structs.entries()) {
      const offset = i === 0 ? run.offset : 0;
      struct.write(encoder, offset);
      if (!struct.deleted) continue;
      const [clock, len] = [struct.id.clock + offset, struct.length - offset];
      const last = ranges[ranges.length - 1];
      if (last && last[0] + last[1] === clock) last[1] += len;
      else ranges.push([clock, len]);
    }
    if (ranges.length > 0) deleted.set(client, ranges);
  }
  encoding.writeVarUint(out, deleted.size);
  for (const [client, ranges] of deleted) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(out, client);
    encoding.writeVarUint(out, ranges.length);
    for (const [clock, len] of ranges) {
      encoder.writeDsClock(clock);
      encoder.writeDsLen(len);
    }
  }
  return encoder.toUint8Array();
}
