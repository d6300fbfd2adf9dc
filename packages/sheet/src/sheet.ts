import type * as Y from "yjs";
import { formatCell, MAX_COLS, MAX_ROWS, parseCell, type CellRef, type Range } from "./a1.js";
import { Axis } from "./axis.js";
import { Comments } from "./comments.js";
import { DATE_ORDERS, isDateOrder, type DateOrder } from "./dates.js";
import { CONTENT_LIMITS, fitsGrid, isCellInput, isRowHeight, isTitle } from "./content.js";
import { isStyleValue, STYLE_ATTRS, type CellStyle, type StyleAttr } from "./format.js";
import { formulaFromStored, formulaToStored, isFormula, type TabLookup } from "./refs.js";
import { listTabs } from "./tablist.js";
import { cellKey, FIRST_TAB, sheetTypes, splitCellKey, styleKey, type SheetTypes } from "./schema.js";

export interface CellWrite extends CellRef {
  /** Raw input; `""` clears the cell. */
  input: string;
}

/** A cell by its row and column ids: it stays the same cell whatever is inserted or deleted. */
export interface CellIds {
  rowId: string;
  colId: string;
}

export class SheetLimitError extends Error {
  override readonly name = "SheetLimitError";
}

/**
 * Why deleting `count` rows or columns of a sheet that has `total` is refused, if it is: a sheet
 * keeps at least one of each (for the menus, which say so before anything runs, and the sheet).
 */
export function cannotDeleteAll(lines: "rows" | "columns", count: number, total: number): string | undefined {
  return count >= total ? `You can't delete all the ${lines} on the sheet` : undefined;
}

/**
 * What a stored cell of the wrong type (written by an older or broken client) reads as: an error
 * value, shown and exported as such, until someone types over it.
 */
export const INVALID_INPUT = "#VALUE!";

const sheets = new WeakMap<Y.Doc, Map<string, Sheet>>();

/**
 * The operations on one tab (a sheet) of a workbook document; a document made before workbooks
 * is its first tab. Every write is one Yjs transaction tagged with the caller's origin, so undo
 * managers and servers can tell local edits from remote ones.
 *
 * Cells are keyed by row and column ids, never by position: inserting a row above an edit that
 * happens concurrently keeps the edit on its logical row. Deleting a row removes its id and its
 * cells in one transaction; a cell written concurrently into a deleted row is orphaned: it is
 * never shown, read or exported ("delete wins", the same for every replica).
 */
export class Sheet {
  readonly types: SheetTypes;
  readonly rows: Axis;
  readonly cols: Axis;
  private commentThreads: Comments | null = null;
  private lookup: TabLookup | null = null;

  /** The one Sheet of a tab of a doc, by default its first (observers are attached once per tab). */
  static of(doc: Y.Doc, tab: string = FIRST_TAB): Sheet {
    let tabs = sheets.get(doc);
    if (!tabs) sheets.set(doc, (tabs = new Map()));
    let sheet = tabs.get(tab);
    if (!sheet) {
      sheet = new Sheet(doc, tab);
      tabs.set(tab, sheet);
    }
    return sheet;
  }

  private constructor(
    readonly doc: Y.Doc,
    /** The tab's id. */
    readonly tab: string,
  ) {
    this.types = sheetTypes(doc, tab);
    this.rows = new Axis(this.types.rows);
    this.cols = new Axis(this.types.cols);
    this.types.tabs.observe(() => {
      this.lookup = null;
    });
  }

  /**
   * The workbook's other tabs, as this tab's formulas refer to them (by name as shown, by id);
   * kept until the tabs change.
   */
  get tabLookup(): TabLookup {
    if (!this.lookup) {
      const tabs = listTabs(this.types.tabs).map((t) => {
        const sheet = Sheet.of(this.doc, t.id);
        return { id: t.id, name: t.name, rows: sheet.rows, cols: sheet.cols };
      });
      const byName = new Map(tabs.map((t) => [t.name.toLowerCase(), t]));
      const byId = new Map(tabs.map((t) => [t.id, t]));
      this.lookup = { named: (name) => byName.get(name.toLowerCase()), byId: (id) => byId.get(id) };
    }
    return this.lookup;
  }

  /** The comments on the tab's cells. */
  get comments(): Comments {
    this.commentThreads ??= new Comments(this.types.comments, this.tab, this.rows, this.cols);
    return this.commentThreads;
  }

  /** True when a transaction inserted or deleted rows or columns. */
  changesStructure(tr: Y.Transaction): boolean {
    return this.rows.changedIn(tr) || this.cols.changedIn(tr);
  }

  get rowCount(): number {
    return this.rows.length;
  }

  get colCount(): number {
    return this.cols.length;
  }

  get title(): string {
    const t = this.types.book.get("title");
    return typeof t === "string" ? t.slice(0, CONTENT_LIMITS.title) : "";
  }

  setTitle(title: string, origin?: unknown): void {
    if (!isTitle(title)) throw new SheetLimitError(`a title has at most ${CONTENT_LIMITS.title} characters`);
    this.doc.transact(() => this.types.book.set("title", title), origin);
  }

  /** How the workbook reads typed dates with slashes (see DateOrder); month first unless set. */
  get dateOrder(): DateOrder {
    const order = this.types.book.get("dateOrder");
    return isDateOrder(order) ? order : "mdy";
  }

  setDateOrder(order: DateOrder, origin?: unknown): void {
    if (!isDateOrder(order)) throw new SheetLimitError(`a date order is one of ${DATE_ORDERS.join(", ")}`);
    this.doc.transact(() => this.types.book.set("dateOrder", order), origin);
  }

  /** A column's width in pixels, or undefined for the default width. */
  colWidth(col: number): number | undefined {
    const colId = this.cols.idAt(col);
    const width: unknown = colId === undefined ? undefined : this.types.colWidths.get(colId);
    return typeof width === "number" && Number.isFinite(width) ? width : undefined;
  }

  /** Sets a column's width (clamped to its limits, in px); it stays with the column as others move. */
  setColWidth(col: number, width: number, origin?: unknown): void {
    const colId = this.cols.idAt(col);
    if (colId === undefined || !Number.isFinite(width)) throw new SheetLimitError(`no column ${col}`);
    const { minColWidth, maxColWidth } = CONTENT_LIMITS;
    this.doc.transact(() => this.types.colWidths.set(colId, Math.round(Math.min(maxColWidth, Math.max(minColWidth, width)))), origin);
  }

  /** A row's height in pixels as someone set it, or undefined for a row that fits its content. */
  rowHeight(row: number): number | undefined {
    const rowId = this.rows.idAt(row);
    const height: unknown = rowId === undefined ? undefined : this.types.rowHeights.get(rowId);
    return isRowHeight(height) ? height : undefined;
  }

  /**
   * Sets the height of rows (clamped to its limits, in px), or with null lets them fit their
   * content again; a height stays with its row as others move.
   */
  setRowHeight(start: number, end: number, height: number | null, origin?: unknown): void {
    if (height !== null && !Number.isFinite(height)) throw new SheetLimitError(`no height ${height}`);
    const rowIds = this.rows.list().slice(start, end + 1);
    if (rowIds.length === 0) throw new SheetLimitError(`no row ${start + 1}`);
    const { minRowHeight, maxRowHeight } = CONTENT_LIMITS;
    this.doc.transact(() => {
      for (const rowId of rowIds) {
        if (height === null) this.types.rowHeights.delete(rowId);
        else this.types.rowHeights.set(rowId, Math.round(Math.min(maxRowHeight, Math.max(minRowHeight, height))));
      }
    }, origin);
  }

  /** The formatting of a cell (empty for a plain cell or outside the sheet). */
  styleAt(row: number, col: number): CellStyle {
    const ids = this.idsAt(row, col);
    const style: CellStyle = {};
    if (!ids) return style;
    for (const attr of STYLE_ATTRS) {
      const value = this.types.styles.get(styleKey(ids.rowId, ids.colId, attr));
      if (value !== undefined && isStyleValue(attr, value)) (style as Record<StyleAttr, unknown>)[attr] = value;
    }
    return style;
  }

  /**
   * Sets formatting attributes on every cell of a range (clipped to the sheet) in one transaction;
   * an attribute given as undefined is removed. Each attribute is its own entry, so concurrent
   * changes to different attributes of a cell all survive.
   */
  setStyle(range: Range, patch: CellStyle, origin?: unknown): void {
    const attrs = Object.keys(patch) as StyleAttr[];
    for (const attr of attrs) {
      const value = patch[attr];
      if (!STYLE_ATTRS.includes(attr) || (value !== undefined && !isStyleValue(attr, value))) {
        throw new SheetLimitError(`invalid ${attr}: ${String(value)}`);
      }
    }
    const rowIds = this.rows.list().slice(range.start.row, range.end.row + 1);
    const colIds = this.cols.list().slice(range.start.col, range.end.col + 1);
    this.doc.transact(() => {
      for (const rowId of rowIds) {
        for (const colId of colIds) {
          for (const attr of attrs) {
            const key = styleKey(rowId, colId, attr);
            const value = patch[attr];
            if (value === undefined) {
              if (this.types.styles.has(key)) this.types.styles.delete(key);
            } else if (this.types.styles.get(key) !== value) {
              this.types.styles.set(key, value);
            }
          }
        }
      }
    }, origin);
  }

  /** Rows and columns kept in view while scrolling (shared by everyone). */
  get frozen(): { rows: number; cols: number } {
    const count = (key: string, max: number) => {
      const n = this.types.meta.get(key);
      return typeof n === "number" && Number.isInteger(n) ? Math.max(0, Math.min(n, max)) : 0;
    };
    return { rows: count("frozenRows", this.rowCount), cols: count("frozenCols", this.colCount) };
  }

  setFrozen(frozen: { rows?: number; cols?: number }, origin?: unknown): void {
    for (const n of [frozen.rows, frozen.cols]) {
      if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > CONTENT_LIMITS.frozen)) {
        throw new SheetLimitError(`can freeze 0 to ${CONTENT_LIMITS.frozen} rows or columns`);
      }
    }
    this.doc.transact(() => {
      if (frozen.rows !== undefined) this.types.meta.set("frozenRows", frozen.rows);
      if (frozen.cols !== undefined) this.types.meta.set("frozenCols", frozen.cols);
    }, origin);
  }

  /** Raw input of the cell at a position; `""` when empty or outside the sheet. */
  getInput(row: number, col: number): string {
    return this.shownInput(this.storedInput(row, col));
  }

  /**
   * The input as stored: the same as {@link getInput} except that a formula keeps its references
   * as ids. Enough to tell formulas apart and to show anything else, without converting references.
   */
  storedInput(row: number, col: number): string {
    const key = this.keyAt(row, col);
    return key === null ? "" : this.inputOf(key);
  }

  /** The stored input of a cell key: `""` when empty, {@link INVALID_INPUT} when not a string. */
  inputOf(key: string): string {
    const stored: unknown = this.types.cells.get(key);
    if (stored === undefined) return "";
    return typeof stored === "string" ? stored : INVALID_INPUT;
  }

  /** The cell key at a position, or null outside the sheet (no ids object made: a hot path). */
  keyAt(row: number, col: number): string | null {
    const rowId = this.rows.idAt(row);
    const colId = this.cols.idAt(col);
    return rowId === undefined || colId === undefined ? null : cellKey(rowId, colId);
  }

  /** The ids of the cell at a position, or null outside the sheet. */
  idsAt(row: number, col: number): CellIds | null {
    const rowId = this.rows.idAt(row);
    const colId = this.cols.idAt(col);
    return rowId === undefined || colId === undefined ? null : { rowId, colId };
  }

  /** Where a cell is now, or null once its row or column has been deleted. */
  positionOfIds({ rowId, colId }: CellIds): CellRef | null {
    const row = this.rows.indexOf(rowId);
    const col = this.cols.indexOf(colId);
    return row < 0 || col < 0 ? null : { row, col };
  }

  /** A stored input as users see it: formulas with their references in A1 for today's layout. */
  shownInput(stored: string): string {
    return isFormula(stored) ? formulaFromStored(stored, this.rows, this.cols, this.tabLookup) : stored;
  }

  /** Position of a cell key, or null when its row or column has been deleted (an orphan). */
  positionOf(key: string): CellRef | null {
    const [rowId, colId] = splitCellKey(key);
    return this.positionOfIds({ rowId, colId });
  }

  /**
   * Writes cells in one transaction, growing the sheet when a write lands beyond its size.
   * Throws {@link SheetLimitError} before writing anything if a cell is beyond the sheet limits.
   * Formulas' references to other tabs are read by the workbook's names, or by `tabs` (an
   * import's, whose sheet names may have become other tab names).
   */
  setCells(writes: Iterable<CellWrite>, origin?: unknown, tabs: TabLookup = this.tabLookup): void {
    const list = [...writes];
    let maxRow = -1;
    let maxCol = -1;
    for (const w of list) {
      if (!Number.isInteger(w.row) || !Number.isInteger(w.col) || w.row < 0 || w.col < 0) {
        throw new SheetLimitError(`invalid cell position ${w.row},${w.col}`);
      }
      if (!isCellInput(w.input)) throw new SheetLimitError(`a cell holds at most ${CONTENT_LIMITS.cellInput} characters`);
      maxRow = Math.max(maxRow, w.row);
      maxCol = Math.max(maxCol, w.col);
    }
    if (list.length === 0) return;
    if (maxRow >= this.rowCount || maxCol >= this.colCount) {
      this.checkGrowth(Math.max(maxRow + 1, this.rowCount), Math.max(maxCol + 1, this.colCount));
    }
    this.doc.transact(() => {
      this.rows.growTo(maxRow + 1);
      this.cols.growTo(maxCol + 1);
      const rowIds = this.rows.list();
      const colIds = this.cols.list();
      for (const w of list) {
        const key = cellKey(rowIds[w.row]!, colIds[w.col]!);
        const stored = isFormula(w.input) ? formulaToStored(w.input, this.rows, this.cols, tabs) : w.input;
        if (stored === "") {
          if (this.types.cells.has(key)) this.types.cells.delete(key);
        } else if (this.types.cells.get(key) !== stored) {
          this.types.cells.set(key, stored);
        }
      }
    }, origin);
  }

  /** `{"A1": "hello", "B2": "42"}` -> one transaction; throws on a bad address before writing. */
  setCellsA1(inputs: Record<string, string>, origin?: unknown): void {
    this.setCells(
      Object.entries(inputs).map(([a1, input]) => ({ ...parseCell(a1), input })),
      origin,
    );
  }

  /** Clears every cell of a range (clipped to the sheet). */
  clearRange(range: Range, origin?: unknown): void {
    this.clearRanges([range], origin);
  }

  /** Clears every cell of several ranges (clipped to the sheet) in one transaction and one pass over the cells. */
  clearRanges(ranges: readonly Range[], origin?: unknown): void {
    const rowIds = this.rows.list();
    const colIds = this.cols.list();
    const cleared = new Map<string, ReadonlySet<string>>();
    for (const { start, end } of ranges) {
      const cols = new Set(colIds.slice(start.col, end.col + 1));
      for (const id of rowIds.slice(start.row, end.row + 1)) {
        const had = cleared.get(id);
        cleared.set(id, had ? new Set([...had, ...cols]) : cols);
      }
    }
    this.doc.transact(() => {
      for (const key of [...this.types.cells.keys()]) {
        const [rowId, colId] = splitCellKey(key);
        if (cleared.get(rowId)?.has(colId)) this.types.cells.delete(key);
      }
    }, origin);
  }

  insertRows(index: number, count: number, origin?: unknown): string[] {
    return this.insertOnAxis(this.rows, index, count, origin);
  }

  insertCols(index: number, count: number, origin?: unknown): string[] {
    return this.insertOnAxis(this.cols, index, count, origin);
  }

  /** Throws {@link SheetLimitError} unless a sheet of this size is within the limits. */
  private checkGrowth(rows: number, cols: number): void {
    if (!fitsGrid(rows, cols)) {
      throw new SheetLimitError(
        `a sheet has at most ${MAX_ROWS} rows, ${MAX_COLS} columns and ${CONTENT_LIMITS.gridCells} cells (this would be ${rows} x ${cols})`,
      );
    }
  }

  deleteRows(index: number, count: number, origin?: unknown): void {
    this.deleteOnAxis(this.rows, 0, index, count, origin);
  }

  deleteCols(index: number, count: number, origin?: unknown): void {
    this.deleteOnAxis(this.cols, 1, index, count, origin);
  }

  private insertOnAxis(axis: Axis, index: number, count: number, origin: unknown): string[] {
    if (!Number.isInteger(index) || index < 0 || index > axis.length) {
      throw new SheetLimitError(`insert position ${index} is outside 0..${axis.length}`);
    }
    if (!Number.isInteger(count) || count < 1) throw new SheetLimitError(`cannot insert ${count}`);
    const rows = this.rowCount + (axis === this.rows ? count : 0);
    this.checkGrowth(rows, this.colCount + (axis === this.cols ? count : 0));
    let ids: string[] = [];
    this.doc.transact(() => {
      ids = axis.insert(index, count);
    }, origin);
    return ids;
  }

  private deleteOnAxis(axis: Axis, part: 0 | 1, index: number, count: number, origin: unknown): void {
    if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || count < 1) {
      throw new SheetLimitError(`cannot delete ${count} at ${index}`);
    }
    const ids = axis.list();
    const removed = new Set(ids.slice(index, index + count));
    if (removed.size === 0) return;
    // A sheet keeps at least one row and one column: deleting all of them is a one-click wipe
    // for everyone sharing it, and an empty grid has no cell left to type into.
    const refused = index === 0 ? cannotDeleteAll(part === 0 ? "rows" : "columns", count, ids.length) : undefined;
    if (refused) throw new SheetLimitError(refused);
    this.doc.transact(() => {
      axis.delete(index, removed.size);
      for (const map of [this.types.cells, this.types.styles]) {
        for (const key of [...map.keys()]) if (removed.has(splitCellKey(key)[part])) map.delete(key);
      }
      const sizes = part === 1 ? this.types.colWidths : this.types.rowHeights;
      for (const id of removed) if (sizes.has(id)) sizes.delete(id);
    }, origin);
  }

  /** Inputs of a range (clipped to the sheet), row-major; empty cells are `""`. */
  readRange(range: Range): string[][] {
    const rowIds = this.rows.list();
    const colIds = this.cols.list();
    const lastRow = Math.min(range.end.row, rowIds.length - 1);
    const lastCol = Math.min(range.end.col, colIds.length - 1);
    const out: string[][] = [];
    for (let r = range.start.row; r <= lastRow; r++) {
      const line: string[] = [];
      for (let c = range.start.col; c <= lastCol; c++) {
        line.push(this.shownInput(this.inputOf(cellKey(rowIds[r]!, colIds[c]!))));
      }
      out.push(line);
    }
    return out;
  }

  /**
   * The non-empty cells of a range, in no particular order: read from the range's positions, or
   * from the stored cells when there are fewer of those (a whole column of a large sheet).
   */
  *filledIn({ start, end }: Range): Generator<CellRef> {
    const area = (end.row - start.row + 1) * (end.col - start.col + 1);
    const cells = this.types.cells;
    if (area <= cells.size) {
      for (let row = start.row; row <= end.row; row++) {
        for (let col = start.col; col <= end.col; col++) {
          const key = this.keyAt(row, col);
          if (key !== null && cells.has(key)) yield { row, col };
        }
      }
      return;
    }
    for (const key of cells.keys()) {
      const pos = this.positionOf(key);
      if (pos && pos.row >= start.row && pos.row <= end.row && pos.col >= start.col && pos.col <= end.col) yield pos;
    }
  }

  /** The smallest range from A1 that holds every non-empty cell, or null for an empty sheet. */
  usedRange(): Range | null {
    let maxRow = -1;
    let maxCol = -1;
    for (const key of this.types.cells.keys()) {
      const pos = this.positionOf(key);
      if (!pos) continue;
      if (pos.row > maxRow) maxRow = pos.row;
      if (pos.col > maxCol) maxCol = pos.col;
    }
    return maxRow < 0 ? null : { start: { row: 0, col: 0 }, end: { row: maxRow, col: maxCol } };
  }

  /** Non-empty cells as `{A1: input}`, for debugging and tests. */
  toA1Record(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of this.types.cells.keys()) {
      const pos = this.positionOf(key);
      if (pos) out[formatCell(pos)] = this.shownInput(this.inputOf(key));
    }
    return out;
  }
}
