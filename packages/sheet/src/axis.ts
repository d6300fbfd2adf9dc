import type * as Y from "yjs";
import { newAxisIds } from "./schema.js";

/**
 * One axis (rows or columns) of a sheet: the ordered ids in a Y.Array, with a cached id list and
 * id -> index map rebuilt lazily after the array changes (locally or remotely).
 */
export class Axis {
  private ids: string[] | null = null;
  private index: Map<string, number> | null = null;
  /** The id list `index` was built from; the index is stale once `ids` is another list. */
  private indexed: readonly string[] | null = null;

  constructor(readonly array: Y.Array<string>) {
    // Invalidate before any observer runs, so observers of other types (cells) that read
    // positions in the same transaction never see a stale order.
    array.doc!.on("beforeObserverCalls", (tr: Y.Transaction) => {
      if (this.changedIn(tr)) this.invalidate();
    });
  }

  /** True when a transaction inserted or deleted ids on this axis. */
  changedIn(tr: Y.Transaction): boolean {
    return tr.changed.has(this.array as unknown as Y.AbstractType<Y.YEvent<any>>);
  }

  private invalidate(): void {
    this.ids = null;
  }

  get length(): number {
    return this.array.length;
  }

  /** All ids in order; do not mutate. */
  list(): readonly string[] {
    this.ids ??= this.array.toArray();
    return this.ids;
  }

  idAt(i: number): string | undefined {
    return this.list()[i];
  }

  /** Index of an id, or -1 once it has been deleted (or never existed). */
  indexOf(id: string): number {
    const ids = this.list();
    if (this.indexed !== ids) this.reindex(ids);
    return this.index!.get(id) ?? -1;
  }

  /**
   * Brings the index up to `ids`. Ids added at the end (a large sheet's rows arriving in parts)
   * extend it; any other change builds it again.
   */
  private reindex(ids: readonly string[]): void {
    const before = this.indexed;
    const appended = this.index !== null && before !== null && before.length <= ids.length && before.every((id, i) => ids[i] === id);
    if (!appended) this.index = new Map();
    for (let i = appended ? before!.length : 0; i < ids.length; i++) this.index!.set(ids[i]!, i);
    this.indexed = ids;
  }

  /** Inserts `count` fresh ids at `at`; call inside a transaction. */
  insert(at: number, count: number): string[] {
    const fresh = newAxisIds(count, new Set(this.list()));
    this.array.insert(at, fresh);
    this.invalidate();
    return fresh;
  }

  /** Deletes `count` ids at `at`; call inside a transaction. */
  delete(at: number, count: number): void {
    this.array.delete(at, count);
    this.invalidate();
  }

  /** Grows the axis to at least `length` ids; call inside a transaction. */
  growTo(length: number): void {
    if (length > this.length) this.insert(this.length, length - this.length);
  }
}
