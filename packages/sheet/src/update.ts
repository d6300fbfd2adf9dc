import * as Y from "yjs";
import { CONTENT_LIMITS, fitsGrid, ROOT_RULES, type RootRule } from "./content.js";

/**
 * Why an update was refused: `malformed` bytes, `content` a sheet may not hold, or `pending` (it
 * depends on changes the receiver does not have, so the sender should sync again).
 */
export type UpdateProblem = "malformed" | "content" | "pending";

export class UpdateError extends Error {
  override readonly name = "UpdateError";

  constructor(
    message: string,
    readonly problem: UpdateProblem = "malformed",
  ) {
    super(message);
  }
}

type Struct = Y.Item | Y.GC | Y.Skip;
/** A decoded update's deletions: per client, ranges of clocks. */
type DeleteSet = { clients: Map<number, { clock: number; len: number }[]> };
/** Where an item lands: a top-level type and, for maps, the key; `null` when Yjs will drop it. */
type Target = { root: string; key: string | null } | null;

/**
 * Checks an update against the document it is about to be applied to, before anything is applied;
 * throws {@link UpdateError} for the first problem found. An update passes when:
 * - it decodes, and everything it builds on is in the document or in the update itself, so Yjs
 *   integrates it whole (nothing is left pending, in structs or in deletions);
 * - every new entry is of the shape {@link ROOT_RULES} allows for its shared type: the right kind
 *   (array or map), no nested shared types, embeds or text, and values within their limits;
 * - the sheet stays within its size limits.
 *
 * The cost is one extra decoding of the update, so a client cannot make the server keep data it
 * cannot use or break the readers of a sheet for everyone.
 */
export function validateUpdate(doc: Y.Doc, update: Uint8Array): void {
  let decoded: { structs: Struct[]; ds: DeleteSet };
  try {
    decoded = Y.decodeUpdate(update) as unknown as { structs: Struct[]; ds: DeleteSet };
  } catch {
    throw new UpdateError("not a Yjs update");
  }
  const { structs, ds } = decoded;
  const byClient = groupByClient(structs);
  const reach = reachedState(doc, byClient);

  const known = (id: Y.ID) => id.clock < (reach.get(id.client) ?? Y.getState(doc.store, id.client));
  for (const struct of structs) {
    if (!(struct instanceof Y.Item) || !isNew(doc, struct)) continue;
    for (const dep of [struct.origin, struct.rightOrigin, struct.parent]) {
      if (dep instanceof Y.ID && !known(dep)) throw pending();
    }
  }
  for (const [client, deletes] of ds.clients) {
    const state = reach.get(client) ?? Y.getState(doc.store, client);
    for (const { clock, len } of deletes) if (clock + len > state) throw pending();
  }

  const targets = new Targets(doc, byClient);
  const added = { rows: 0, cols: 0 };
  for (const struct of structs) {
    if (!(struct instanceof Y.Item) || !isNew(doc, struct)) continue;
    const target = targets.of(struct);
    if (target === null) continue;
    const rule = ROOT_RULES[target.root];
    if (!rule) throw content(`writes an unknown shared type "${target.root.slice(0, 40)}"`);
    checkContent(struct, target, rule);
    if (target.root === "rows" || target.root === "cols") added[target.root] += struct.countable ? struct.length : 0;
  }
  const rows = doc.getArray("rows").length + added.rows;
  const cols = doc.getArray("cols").length + added.cols;
  if ((added.rows > 0 || added.cols > 0) && !fitsGrid(rows, cols)) {
    throw content(
      `would make the sheet ${rows} x ${cols}: the limit is ${CONTENT_LIMITS.rows} rows, ${CONTENT_LIMITS.cols} columns and ${CONTENT_LIMITS.gridCells} cells`,
    );
  }
}

function pending(): UpdateError {
  return new UpdateError("the update depends on changes this sheet does not have; sync again", "pending");
}

function content(what: string): UpdateError {
  return new UpdateError(`update ${what}`, "content");
}

/** True when some of the item is not in the document yet (the rest Yjs skips as a duplicate). */
function isNew(doc: Y.Doc, item: Y.Item): boolean {
  return item.id.clock + item.length > Y.getState(doc.store, item.id.client);
}

function groupByClient(structs: readonly Struct[]): Map<number, Struct[]> {
  const byClient = new Map<number, Struct[]>();
  for (const struct of structs) {
    let list = byClient.get(struct.id.client);
    if (!list) byClient.set(struct.id.client, (list = []));
    list.push(struct);
  }
  for (const list of byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  return byClient;
}

/**
 * Each client's state once the update is integrated. A struct that starts past what the document
 * and the structs before it reach (a gap, or a `Skip`) would stay pending: the update is refused.
 */
function reachedState(doc: Y.Doc, byClient: ReadonlyMap<number, readonly Struct[]>): Map<number, number> {
  const reach = new Map<number, number>();
  for (const [client, list] of byClient) {
    let state = Y.getState(doc.store, client);
    for (const struct of list) {
      if (struct instanceof Y.Skip) continue;
      if (struct.id.clock > state) throw pending();
      state = Math.max(state, struct.id.clock + struct.length);
    }
    reach.set(client, state);
  }
  return reach;
}

function checkContent(item: Y.Item, target: { root: string; key: string | null }, rule: RootRule): void {
  const c = item.content;
  if (c instanceof Y.ContentDeleted) return;
  if (!(c instanceof Y.ContentAny)) {
    throw content(`puts ${c.constructor.name.replace("Content", "").toLowerCase() || "unknown"} content in "${target.root}", which holds ${rule.what}`);
  }
  const values = c.getContent();
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
  private readonly memo = new Map<Y.Item, Target>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly byClient: ReadonlyMap<number, readonly Struct[]>,
  ) {}

  of(start: Y.Item): Target {
    // Iterative: a long run of typed rows is a long chain of neighbours.
    const chain: Y.Item[] = [];
    const seen = new Set<Y.Item>();
    let item: Y.Item = start;
    let found: Target | undefined;
    for (;;) {
      const memo = this.memo.get(item);
      if (memo !== undefined) {
        found = memo;
        break;
      }
      chain.push(item);
      seen.add(item);
      const step = this.step(item);
      if (!(step instanceof Y.Item)) {
        found = step;
        break;
      }
      if (seen.has(step)) throw new UpdateError("update's items refer to each other in a cycle");
      item = step;
    }
    for (const link of chain) this.memo.set(link, found);
    return found;
  }

  /** The item's target when it names its parent; else the update's neighbour to follow. */
  private step(item: Y.Item): Target | Y.Item {
    const parent: unknown = item.parent;
    if (typeof parent === "string") return { root: parent, key: item.parentSub };
    if (parent instanceof Y.ID) throw content("nests a shared type, which a sheet never holds");
    if (parent !== null && parent !== undefined) throw new UpdateError("unexpected parent in update");
    const left = item.origin ? this.find(item.origin) : null;
    const right = item.rightOrigin ? this.find(item.rightOrigin) : null;
    if (left instanceof Y.GC || right instanceof Y.GC) return null;
    const neighbour = left ?? right;
    if (neighbour === null) throw new UpdateError("update item has neither a parent nor a neighbour");
    if (neighbour.kind === "doc") return targetInDoc(neighbour.item);
    return neighbour.item;
  }

  /** The struct holding an id: in the document, or in the update. */
  private find(id: Y.ID): { kind: "doc" | "update"; item: Y.Item } | Y.GC {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const struct = Y.getItem(this.doc.store, id) as Y.Item | Y.GC;
      return struct instanceof Y.GC ? struct : { kind: "doc", item: struct };
    }
    const list = this.byClient.get(id.client) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else if (s instanceof Y.Item) return { kind: "update", item: s };
      else if (s instanceof Y.GC) return s;
      else break;
    }
    throw pending();
  }
}

/** Where an integrated item of the document lives. */
function targetInDoc(item: Y.Item): Target {
  const type = item.parent as Y.AbstractType<unknown> | null;
  if (type === null) return null;
  if (type._item !== null) throw content("writes inside a nested shared type, which a sheet never holds");
  return { root: Y.findRootTypeKey(type), key: item.parentSub };
}
