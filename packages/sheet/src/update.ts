import * as Y from "yjs";
import { CONTENT_LIMITS, fitsGrid, ROOT_RULES, rootRule, tabOfRoot, type RootRule } from "./content.js";
import { FIRST_TAB, tabTypeName } from "./schema.js";
import {
  ForeignContentError,
  readUpdateRecords,
  UpdateFormatError,
  type StructId,
  type StructRecord,
  type UpdateRecords,
} from "./update-format.js";

/**
 * Why an update was refused: `malformed` bytes, `content` a sheet may not hold, `pending` (it
 * depends on changes the receiver does not have, so the sender should sync again), or
 * `forbidden` (it changes a shared type its sender may not write).
 */
export type UpdateProblem = "malformed" | "content" | "pending" | "forbidden";

export interface ValidateOptions {
  /**
   * The top-level shared types the sender may add to, for a sender who may not edit the sheet;
   * all when omitted. Such a sender may only add: an update that writes any other type, deletes
   * anything, holds garbage-collected ranges or items Yjs would drop, or writes as a client whose
   * changes in the document are not all in these types, is refused whole, as `forbidden`.
   */
  writable?: ReadonlySet<string>;
}

export class UpdateError extends Error {
  override readonly name = "UpdateError";

  constructor(
    message: string,
    readonly problem: UpdateProblem = "malformed",
  ) {
    super(message);
  }
}

/** Where an item lands: a top-level type and, for maps, the key; `null` when Yjs will drop it. */
type Target = { root: string; key: string | null } | null;

/**
 * Checks an update against the document it is about to be applied to, before anything is
 * applied, and returns the bytes to apply: the update itself, or (when it repeats part of what the
 * document holds) only what is new, since Yjs places a repeated part's continuation by the
 * document's own items, whatever the update says. Throws {@link UpdateError} for the first problem:
 * - bytes that are not an update, or content a sheet never holds (read without building it);
 * - anything Yjs could not integrate at once, which it would keep pending: a gap, a reference to
 *   a change neither the document nor the update holds, references in a cycle or forward in time,
 *   a deletion of something unknown;
 * - an entry of the wrong shape for its shared type (see {@link rootRule});
 * - growth past the sheet's size limits;
 * - any write to a type only the server writes (the comments), a deletion in one included;
 * - for a sender limited to `options.writable`, anything but additions to those types by its own
 *   clients (see {@link ValidateOptions}).
 */
export function validateUpdate(doc: Y.Doc, update: Uint8Array, options: ValidateOptions = {}): Uint8Array {
  const { writable } = options;
  let bytes = update;
  let records = read(bytes);
  if (records.structs.some((s) => s.clock < Y.getState(doc.store, s.client))) {
    bytes = Y.diffUpdate(update, Y.encodeStateVector(doc));
    records = read(bytes);
  }
  const byClient = groupByClient(records.structs);
  const reach = integrate(doc, byClient);
  for (const [client, ranges] of records.deletes) {
    const state = reach.get(client) ?? Y.getState(doc.store, client);
    for (const { clock, len } of ranges) if (clock + len > state) throw pending();
  }

  const targets = new Targets(doc, byClient);
  if (writable) checkAdditionsOnly(doc, records, byClient, writable);
  else checkKeptDeletes(doc, records);
  /** Rows and columns added, by tab. */
  const added = new Map<string, { rows: number; cols: number }>();
  /** Tabs named by the update, and tabs whose own types it writes. */
  const named = new Set<string>();
  const used = new Set<string>();
  for (const struct of records.structs) {
    if (struct.kind !== "item") continue;
    const target = targets.of(struct);
    if (target === null) {
      // Yjs drops it, but its clock still counts: a limited sender could spend another's clock.
      if (writable) throw new UpdateError("this link may not write items whose place is gone", "forbidden");
      continue;
    }
    const rule = rootRule(target.root);
    if (!rule) throw content(`writes an unknown shared type "${target.root.slice(0, 40)}"`);
    if (rule.serverOnly) throw new UpdateError(`only the server writes the sheet's ${target.root}`, "forbidden");
    if (writable && !writable.has(target.root)) throw forbidden(target.root);
    checkContent(struct, target, rule);
    if (target.root === "tabs" && target.key?.endsWith(":name") && struct.values) named.add(target.key.slice(0, -":name".length));
    const axis = target.root.slice(target.root.lastIndexOf("/") + 1);
    const tab = tabOfRoot(target.root);
    if (tab !== null && tab !== FIRST_TAB) used.add(tab);
    if (tab !== null && (axis === "rows" || axis === "cols") && struct.values) {
      let counts = added.get(tab);
      if (!counts) added.set(tab, (counts = { rows: 0, cols: 0 }));
      counts[axis] += struct.length;
    }
  }
  if (named.size > 0 || used.size > 0 || added.size > 0) {
    // The tabs the workbook has (with those this update names); checked before anything is read
    // of the others, so that nothing is made of a refused update's tabs.
    const tabs = doc.share.get("tabs") as Y.Map<unknown> | undefined;
    for (const key of tabs?.keys() ?? []) if (key.endsWith(":name")) named.add(key.slice(0, -":name".length));
    named.add(FIRST_TAB);
    if (named.size > CONTENT_LIMITS.tabs) throw content(`would give the workbook ${named.size} tabs: the limit is ${CONTENT_LIMITS.tabs}`);
    // A tab's types belong to a tab the workbook has: no making up types by the thousand.
    for (const tab of used) if (!named.has(tab)) throw content(`writes the types of a tab "${tab.slice(0, 40)}" the workbook does not have`);
    if (added.size > 0) checkSizes(doc, added, removedLines(doc, records), named);
  }
  return bytes;
}

/**
 * Refuses growth past the limits: each tab within the grid's, and all tabs of the workbook
 * together within its number of cells (rows x columns, empty ones included).
 */
function checkSizes(
  doc: Y.Doc,
  added: ReadonlyMap<string, { rows: number; cols: number }>,
  removed: ReadonlyMap<string, { rows: number; cols: number }>,
  tabs: ReadonlySet<string>,
): void {
  // Read without making the types (a refused update must leave nothing behind).
  const length = (name: string) => (doc.share.get(name) as Y.AbstractType<unknown> | undefined)?._length ?? 0;
  const size = (tab: string) => {
    const more = added.get(tab) ?? { rows: 0, cols: 0 };
    const less = removed.get(tab) ?? { rows: 0, cols: 0 };
    const count = (axis: "rows" | "cols") => length(tabTypeName(tab, axis)) + more[axis] - less[axis];
    return { rows: count("rows"), cols: count("cols") };
  };
  for (const tab of added.keys()) {
    const { rows, cols } = size(tab);
    if (!fitsGrid(rows, cols)) {
      throw content(
        `would make a sheet ${rows} x ${cols}: the limit is ${CONTENT_LIMITS.rows} rows, ${CONTENT_LIMITS.cols} columns and ${CONTENT_LIMITS.gridCells} cells`,
      );
    }
  }
  let cells = 0;
  for (const tab of tabs) {
    const { rows, cols } = size(tab);
    cells += rows * cols;
  }
  if (cells > CONTENT_LIMITS.gridCells) {
    throw content(`would make the workbook ${cells} cells in all: the limit is ${CONTENT_LIMITS.gridCells}`);
  }
}

function read(update: Uint8Array): UpdateRecords {
  try {
    return readUpdateRecords(update);
  } catch (err) {
    if (err instanceof ForeignContentError) throw content(`holds ${err.message}, which a sheet never does`);
    if (err instanceof UpdateFormatError) throw new UpdateError(err.message);
    throw err;
  }
}

function pending(): UpdateError {
  return new UpdateError("the update depends on changes this sheet does not have; sync again", "pending");
}

function content(what: string): UpdateError {
  return new UpdateError(`update ${what}`, "content");
}

function forbidden(root: string): UpdateError {
  return new UpdateError(`this link may not change the sheet's ${root.slice(0, 40)}`, "forbidden");
}

/**
 * For a sender who may only add to `writable`: refuses deletions (even of what it wrote: a
 * deletion's range could as well cover another's changes yet to come), garbage-collected ranges
 * (which would use up clocks of any client, and make its changes that arrive later look known
 * and be dropped), and structs of a client the document knows unless all that client wrote is in
 * `writable`: a limited sender writes only as its own clients, which only ever added there.
 */
function checkAdditionsOnly(
  doc: Y.Doc,
  records: UpdateRecords,
  byClient: ReadonlyMap<number, readonly StructRecord[]>,
  writable: ReadonlySet<string>,
): void {
  if (records.deletes.size > 0) throw new UpdateError("this link may not delete anything", "forbidden");
  for (const [client, list] of byClient) {
    if (list.some((s) => s.kind !== "item")) throw new UpdateError("this link may not write collected ranges", "forbidden");
    const structs = doc.store.clients.get(client);
    if (structs && !structs.every((s) => s instanceof Y.Item && !s.deleted && inWritable(s, writable))) {
      throw new UpdateError("this link may not write as a client that changed more than it may", "forbidden");
    }
  }
}

/**
 * Refuses a deletion of anything in a type only the server writes: those are only ever added to.
 * (A limited sender may delete nothing at all: see checkAdditionsOnly.)
 */
function checkKeptDeletes(doc: Y.Doc, records: UpdateRecords): void {
  const kept = new Set<unknown>();
  for (const [name, rule] of Object.entries(ROOT_RULES)) {
    const type = rule.serverOnly ? doc.share.get(name) : undefined;
    if (type?._start) kept.add(type);
  }
  if (kept.size === 0) return;
  forEachDeleted(doc, records, (item) => {
    if (kept.has(item.parent)) throw new UpdateError("only the server writes the sheet's comments, and nothing in them is deleted", "forbidden");
  });
}

/**
 * Calls `fn` with each item of the document the update deletes (not deleted yet) and how much of
 * it. What the update itself adds is not included: its items are checked one by one.
 */
function forEachDeleted(doc: Y.Doc, records: UpdateRecords, fn: (item: Y.Item, length: number) => void): void {
  for (const [client, ranges] of records.deletes) {
    const structs = doc.store.clients.get(client);
    if (!structs) continue;
    const known = Y.getState(doc.store, client);
    for (const { clock, len } of merged(ranges)) {
      if (clock >= known) continue;
      const end = Math.min(clock + len, known);
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        const struct = structs[i]!;
        if (!(struct instanceof Y.Item) || struct.deleted) continue;
        const from = Math.max(clock, struct.id.clock);
        fn(struct, Math.min(end, struct.id.clock + struct.length) - from);
      }
    }
  }
}

/** Ranges of clocks in order, overlapping ones joined (a crafted update may repeat a range). */
function merged(ranges: readonly { clock: number; len: number }[]): { clock: number; len: number }[] {
  const out: { clock: number; len: number }[] = [];
  for (const { clock, len } of [...ranges].sort((a, b) => a.clock - b.clock)) {
    const last = out[out.length - 1];
    if (last && clock <= last.clock + last.len) last.len = Math.max(last.len, clock + len - last.clock);
    else out.push({ clock, len });
  }
  return out;
}

/** Rows and columns the update deletes, by tab (a sort deletes as many as it adds). */
function removedLines(doc: Y.Doc, records: UpdateRecords): Map<string, { rows: number; cols: number }> {
  const removed = new Map<string, { rows: number; cols: number }>();
  // Finding a type's name walks the document's types: once per type, not per deleted item.
  const roots = new Map<Y.AbstractType<unknown>, string>();
  forEachDeleted(doc, records, (item, length) => {
    const type = item.parent as Y.AbstractType<unknown> | null;
    if (type === null || type._item !== null || item.parentSub !== null || !item.countable) return;
    let root = roots.get(type);
    if (root === undefined) roots.set(type, (root = Y.findRootTypeKey(type)));
    const axis = root.slice(root.lastIndexOf("/") + 1);
    const tab = tabOfRoot(root);
    if (tab === null || (axis !== "rows" && axis !== "cols")) return;
    let counts = removed.get(tab);
    if (!counts) removed.set(tab, (counts = { rows: 0, cols: 0 }));
    counts[axis] += length;
  });
  return removed;
}

function inWritable(item: Y.Item, writable: ReadonlySet<string>): boolean {
  try {
    const target = targetInDoc(item);
    return target !== null && writable.has(target.root);
  } catch {
    return false; // nested: never a limited sender's
  }
}

function groupByClient(structs: readonly StructRecord[]): Map<number, StructRecord[]> {
  const byClient = new Map<number, StructRecord[]>();
  for (const struct of structs) {
    let list = byClient.get(struct.client);
    if (!list) byClient.set(struct.client, (list = []));
    list.push(struct);
  }
  for (const list of byClient.values()) list.sort((a, b) => a.clock - b.clock);
  return byClient;
}

/** The ids a struct needs in place before Yjs can integrate it. */
function dependencies(struct: StructRecord): StructId[] {
  const deps: StructId[] = [];
  if (struct.origin) deps.push(struct.origin);
  if (struct.rightOrigin) deps.push(struct.rightOrigin);
  if (struct.parent !== null && typeof struct.parent === "object") deps.push(struct.parent);
  return deps;
}

/** The struct of a client's (sorted) list that holds a clock, if any. */
function structAt(list: readonly StructRecord[], clock: number): StructRecord | null {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid]!;
    if (clock < s.clock) hi = mid - 1;
    else if (clock >= s.clock + s.length) lo = mid + 1;
    else return s;
  }
  return null;
}

/**
 * Integrates the update's structs in thought, as Yjs does (each client's in clock order, waiting
 * on other clients' structs as needed), and answers each client's state afterwards. Throws
 * `pending` for anything Yjs would have to set aside: a gap or skip, a reference to a change that
 * is nowhere, to the struct itself or later ones of its client, or a cycle between clients. Each
 * struct is visited once, and a waiting client is woken by the struct it waits for.
 */
function integrate(doc: Y.Doc, byClient: ReadonlyMap<number, readonly StructRecord[]>): Map<number, number> {
  const state = new Map<number, number>();
  const next = new Map<number, number>();
  for (const client of byClient.keys()) {
    state.set(client, Y.getState(doc.store, client));
    next.set(client, 0);
  }
  const stateOf = (client: number) => state.get(client) ?? Y.getState(doc.store, client);
  const wake = new Map<StructRecord, number[]>();
  const ready = [...byClient.keys()];
  while (ready.length > 0) {
    const client = ready.pop()!;
    const list = byClient.get(client)!;
    let i = next.get(client)!;
    run: for (; i < list.length; i++) {
      const struct = list[i]!;
      if (struct.kind === "skip" || struct.clock !== stateOf(client)) throw pending();
      for (const dep of dependencies(struct)) {
        if (dep.clock < stateOf(dep.client)) continue;
        // Not there yet: only a struct of another client later in this update can bring it.
        const holder = dep.client === client ? null : structAt(byClient.get(dep.client) ?? [], dep.clock);
        if (!holder) throw pending();
        let waiters = wake.get(holder);
        if (!waiters) wake.set(holder, (waiters = []));
        waiters.push(client);
        break run;
      }
      state.set(client, struct.clock + struct.length);
      const waiters = wake.get(struct);
      if (waiters) {
        wake.delete(struct);
        ready.push(...waiters);
      }
    }
    next.set(client, i);
  }
  for (const [client, list] of byClient) if (next.get(client)! < list.length) throw pending();
  return state;
}

function checkContent(item: StructRecord, target: { root: string; key: string | null }, rule: RootRule): void {
  const values = item.values;
  if (values === null) return; // deleted content
  if (rule.kind === "array") {
    if (target.key !== null) throw content(`writes a key into "${target.root}", which is a list`);
    for (const value of values) if (!rule.value(value)) throw content(`puts a value in "${target.root}" that is not one of its ${rule.what}`);
    return;
  }
  if (target.key === null) throw content(`inserts list items into "${target.root}", which is a map`);
  if (values.length !== 1 || !rule.entry(target.key, values[0])) {
    throw content(`writes "${target.key.slice(0, 60)}" in "${target.root}", which holds ${rule.what}`);
  }
}

/**
 * Resolves where each item of an update lands, as Yjs will when it integrates it: an item names
 * its parent (a root type, or a nested type's item) or inherits parent and key from its left
 * (else right) neighbour, which lies in the document or earlier in the update. A neighbour that
 * was garbage collected makes Yjs drop the item (`null`).
 */
class Targets {
  private readonly memo = new Map<StructRecord, Target>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly byClient: ReadonlyMap<number, readonly StructRecord[]>,
  ) {}

  of(start: StructRecord): Target {
    // Iterative: a long run of typed rows is a long chain of neighbours. The chain has no cycle:
    // `integrate` refused any.
    const chain: StructRecord[] = [];
    let item = start;
    let found: Target | undefined;
    for (;;) {
      const memo = this.memo.get(item);
      if (memo !== undefined) {
        found = memo;
        break;
      }
      chain.push(item);
      const step = this.step(item);
      if (step === null || !("kind" in step)) {
        found = step;
        break;
      }
      item = step;
    }
    for (const link of chain) this.memo.set(link, found);
    return found;
  }

  /** The item's target when it names its parent or its neighbour is in the document; else that neighbour. */
  private step(item: StructRecord): Target | StructRecord {
    const { parent } = item;
    if (typeof parent === "string") return { root: parent, key: item.parentSub };
    if (parent !== null) throw content("nests a shared type, which a sheet never holds");
    const left = item.origin ? this.find(item.origin) : null;
    const right = item.rightOrigin ? this.find(item.rightOrigin) : null;
    if (left === "gc" || right === "gc") return null;
    const neighbour = left ?? right;
    if (neighbour === null) throw new UpdateError("update item has neither a parent nor a neighbour");
    return neighbour instanceof Y.Item ? targetInDoc(neighbour) : neighbour;
  }

  /** The struct holding an id: an item of the document, a struct of the update, or garbage. */
  private find(id: StructId): Y.Item | StructRecord | "gc" {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const struct = Y.getItem(this.doc.store, Y.createID(id.client, id.clock)) as Y.Item | Y.GC;
      return struct instanceof Y.GC ? "gc" : struct;
    }
    const struct = structAt(this.byClient.get(id.client) ?? [], id.clock);
    if (!struct) throw pending();
    return struct.kind === "item" ? struct : "gc";
  }
}

/** Where an integrated item of the document lives. */
function targetInDoc(item: Y.Item): Target {
  const type = item.parent as Y.AbstractType<unknown> | null;
  if (type === null) return null;
  if (type._item !== null) throw content("writes inside a nested shared type, which a sheet never holds");
  return { root: Y.findRootTypeKey(type), key: item.parentSub };
}
