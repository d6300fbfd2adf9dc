import * as Y from "yjs";
import { splitCellKey, type CellRef, type Range, type Sheet } from "@cosheet/sheet";

export type UndoKind = "undo" | "redo";

/** What one undo or redo did. */
export type UndoOutcome =
  /** There was nothing to undo (or redo). */
  | { kind: "nothing" }
  /**
   * The last step's changes had all been overwritten by others since: it was dropped, and nothing
   * older was undone in its place. `cells` are the cells it had written, where they are now.
   */
  | { kind: "skipped"; cells: CellRef[] }
  /** Undone: `range` is what it changed (cells, or whole rows or columns), to select; null if none. */
  | { kind: "done"; range: Range | null };

/** Item ranges of a Yjs delete set (an undo step's insertions), by client. */
interface ItemRanges {
  clients: Map<number, { clock: number; len: number }[]>;
}

/**
 * Undoes (or redoes) this user's last step, and only it. Yjs alone would pass over a step that no
 * longer changes anything (someone else overwrote every cell of it) and undo an older one in its
 * place, somewhere the user is not looking; here such a step is dropped and reported instead.
 */
export function undoStep(sheet: Sheet, undo: Y.UndoManager, kind: UndoKind): UndoOutcome {
  const stack = kind === "undo" ? undo.undoStack : undo.redoStack;
  const top = stack[stack.length - 1];
  if (!top) return { kind: "nothing" };
  const written = cellsWritten(sheet, top.insertions as unknown as ItemRanges);
  // What it changes is read while the change is made (a Yjs event's changes are not readable after).
  const changes = new Changes(sheet);
  let performed = false;
  const onPopped = () => {
    performed = true;
  };
  // Only the top step is on the stack while it runs; the older ones go back under it after.
  const older = stack.splice(0, stack.length - 1);
  undo.on("stack-item-popped", onPopped);
  try {
    if (kind === "undo") undo.undo();
    else undo.redo();
  } finally {
    undo.off("stack-item-popped", onPopped);
    changes.stop();
    stack.unshift(...older);
  }
  return performed ? { kind: "done", range: changes.range() } : { kind: "skipped", cells: written };
}

/** The cells whose input or formatting a step wrote, where they are now. */
function cellsWritten(sheet: Sheet, insertions: ItemRanges): CellRef[] {
  const { cells, styles } = sheet.types;
  const found = new Map<string, CellRef>();
  insertions.clients.forEach((ranges, client) => {
    const structs = sheet.doc.store.clients.get(client);
    if (!structs) return;
    for (const { clock, len } of ranges) {
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < clock + len; i++) {
        const item = structs[i];
        if (!(item instanceof Y.Item) || !item.parentSub || (item.parent !== cells && item.parent !== styles)) continue;
        const [rowId, colId] = splitCellKey(item.parentSub);
        const at = sheet.positionOfIds({ rowId, colId });
        if (at) found.set(`${rowId}:${colId}`, at);
      }
    }
  });
  return [...found.values()].sort((a, b) => a.row - b.row || a.col - b.col);
}

/** A run of rows or columns a change inserted, or (one index) where the ones it deleted were. */
interface Lines {
  from: number;
  to: number;
  inserted: boolean;
}

/** The first run of lines a list event inserted or deleted. */
function lines(event: Y.YArrayEvent<string>): Lines | null {
  let at = 0;
  for (const op of event.changes.delta) {
    if (op.retain !== undefined) at += op.retain;
    else if (op.insert !== undefined) return { from: at, to: at + (op.insert as unknown[]).length - 1, inserted: true };
    else if (op.delete !== undefined) return { from: at, to: at, inserted: false };
  }
  return null;
}

/** Watches what a transaction changes in the sheet, until stopped. */
class Changes {
  private readonly keys: string[] = [];
  private rows: Lines | null = null;
  private cols: Lines | null = null;
  private readonly onCells = (event: { keysChanged: Set<string> }) => {
    for (const key of event.keysChanged) this.keys.push(key);
  };
  private readonly onRows = (event: Y.YArrayEvent<string>) => (this.rows ??= lines(event));
  private readonly onCols = (event: Y.YArrayEvent<string>) => (this.cols ??= lines(event));

  constructor(private readonly sheet: Sheet) {
    const { cells, styles, rows, cols } = sheet.types;
    cells.observe(this.onCells);
    styles.observe(this.onCells);
    rows.observe(this.onRows);
    cols.observe(this.onCols);
  }

  stop(): void {
    const { cells, styles, rows, cols } = this.sheet.types;
    cells.unobserve(this.onCells);
    styles.unobserve(this.onCells);
    rows.unobserve(this.onRows);
    cols.unobserve(this.onCols);
  }

  /**
   * What to select: rows or columns put back, whole, when every cell changed is in them (a delete
   * undone); else the span of the cells changed; else where rows or columns were taken out.
   */
  range(): Range | null {
    const { sheet } = this;
    const positions: CellRef[] = [];
    for (const key of this.keys) {
      const [rowId, colId] = splitCellKey(key);
      const at = sheet.positionOfIds({ rowId, colId });
      if (at) positions.push(at);
    }
    const within = (run: Lines | null, index: (p: CellRef) => number) =>
      run !== null && run.inserted && positions.every((p) => index(p) >= run.from && index(p) <= run.to);
    if (positions.length > 0 && !within(this.rows, (p) => p.row) && !within(this.cols, (p) => p.col)) {
      const first = positions[0]!;
      const span = { start: { ...first }, end: { ...first } };
      for (const { row, col } of positions) {
        span.start = { row: Math.min(span.start.row, row), col: Math.min(span.start.col, col) };
        span.end = { row: Math.max(span.end.row, row), col: Math.max(span.end.col, col) };
      }
      return span;
    }
    const lastRow = sheet.rowCount - 1;
    const lastCol = sheet.colCount - 1;
    if (this.rows) return { start: { row: Math.min(this.rows.from, lastRow), col: 0 }, end: { row: Math.min(this.rows.to, lastRow), col: lastCol } };
    if (this.cols) return { start: { row: 0, col: Math.min(this.cols.from, lastCol) }, end: { row: lastRow, col: Math.min(this.cols.to, lastCol) } };
    return null;
  }
}
