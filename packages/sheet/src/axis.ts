import type * as Y from "yjs";
import { newAxisIds } from "./schema.js";

/**
 * One axis (rows or columns) of a sheet: the ordered ids in a Y.Array, with a cached id list and
 * id -> index map rebuilt lazily after the array changes (locally or remotely).
 */
export class Axis {
  private ids: string[] | null = null;
  private index: Map<string, number> | null = null;

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
    this.index = null;
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
    if (!this.index) {
      this.index = new Map();
      this.list().forEach((x, i) => this.index!.set(x, i));
    }
    return this.index.get(id) ?? -1;
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
