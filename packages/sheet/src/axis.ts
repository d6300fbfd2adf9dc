import type * as Y from "yjs";
import { newAxisIds } from "./schema.js";

/**
 * One axis (rows or columns) of a sheet: the ordered ids in a Y.Array, with a cached id list and
 * id -> index map rebuilt lazily after the array changes (locally or remotely).
 *
 * Yjs has no move, so moving ids (a sort) deletes them and inserts them again in their new order.
 * Two people moving the same ids at once both insert them: the array then holds an id twice. An id
 * counts where it first is; its later copies are not part of the axis (every replica has the same
 * array, so every one keeps the same copy), and deleting the id deletes all of them.
 */
export class Axis {
  private ids: string[] | null = null;
  /** Where each id of `ids` is in the array, when the array holds copies (null: the same places). */
  private places: number[] | null = null;
  /** Id -> its index in `ids` (built with it, see list). */
  private index: Map<string, number> | null = null;
  /** The id list `index` was built for, kept to extend both when ids are only appended. */
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
    return this.list().length;
  }

  /**
   * All ids in order, each once; do not mutate. Built with the id -> index map in one pass: ids
   * added at the end (a large sheet's rows arriving in parts) only extend both.
   */
  list(): readonly string[] {
    if (this.ids) return this.ids;
    const all = this.array.toArray();
    const before = this.indexed;
    if (before && this.index && this.places === null && before.length <= all.length && before.every((id, i) => all[i] === id)) {
      let extended = true;
      for (let i = before.length; i < all.length && extended; i++) {
        if (this.index.has(all[i]!)) extended = false;
        else this.index.set(all[i]!, i);
      }
      if (extended) {
        this.indexed = all;
        return (this.ids = all);
      }
    }
    const index = new Map<string, number>();
    const ids: string[] = [];
    const places: number[] = [];
    all.forEach((id, i) => {
      if (index.has(id)) return;
      index.set(id, ids.length);
      ids.push(id);
      places.push(i);
    });
    this.index = index;
    this.places = ids.length === all.length ? null : places;
    this.indexed = ids;
    return (this.ids = ids);
  }

  idAt(i: number): string | undefined {
    return this.list()[i];
  }

  /** Index of an id, or -1 once it has been deleted (or never existed). */
  indexOf(id: string): number {
    this.list();
    return this.index!.get(id) ?? -1;
  }

  /** Where the id at index `i` of the axis is in the array (its end for the axis's end). */
  private placeOf(i: number): number {
    const ids = this.list();
    if (!this.places) return i;
    return i < ids.length ? this.places[i]! : this.array.length;
  }

  /** Inserts `count` fresh ids at `at`; call inside a transaction. */
  insert(at: number, count: number): string[] {
    const fresh = newAxisIds(count, new Set(this.array.toArray()));
    this.array.insert(this.placeOf(at), fresh);
    this.invalidate();
    return fresh;
  }

  /** Deletes `count` ids at `at`, with any copies of them; call inside a transaction. */
  delete(at: number, count: number): void {
    this.list();
    if (!this.places) this.array.delete(at, count);
    else {
      const gone = new Set(this.ids!.slice(at, at + count));
      const all = this.array.toArray();
      // Runs from the end, so that the places still to delete do not move.
      for (let end = all.length; end > 0; ) {
        if (!gone.has(all[end - 1]!)) {
          end--;
          continue;
        }
        let start = end - 1;
        while (start > 0 && gone.has(all[start - 1]!)) start--;
        this.array.delete(start, end - start);
        end = start;
      }
    }
    this.invalidate();
  }

  /**
   * Puts the ids at `at`.. in the order given (the same ids, moved: a sort); only the stretch
   * from the first to the last id whose place changes is deleted and inserted again. Call inside
   * a transaction.
   */
  reorder(at: number, order: readonly string[]): void {
    const ids = this.list().slice(at, at + order.length);
    if (ids.length !== order.length || new Set(order).size !== order.length || !order.every((id) => this.indexOf(id) >= at && this.indexOf(id) < at + order.length)) {
      throw new Error("a reorder must keep the same ids");
    }
    let first = 0;
    while (first < order.length && order[first] === ids[first]) first++;
    if (first === order.length) return;
    let last = order.length - 1;
    while (order[last] === ids[last]) last--;
    this.delete(at + first, last - first + 1);
    this.array.insert(this.placeOf(at + first), order.slice(first, last + 1));
    this.invalidate();
  }

  /** Grows the axis to at least `length` ids; call inside a transaction. */
  growTo(length: number): void {
    if (length > this.length) this.insert(this.length, length - this.length);
  }
}
