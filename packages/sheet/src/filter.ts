import { compareValues } from "./compare.js";
import type * as Y from "yjs";
import {
  CONTENT_LIMITS,
  FILTER_COLUMN_KEY,
  FILTER_OPS,
  isColumnFilter,
  isFilterArea,
  type ColumnFilter,
  type FilterArea,
  type FilterOp,
} from "./content.js";
import { cellText, FormulaEngine, shownFormat } from "./formula.js";
import { randomId } from "./ids.js";
import { isFormula } from "./refs.js";
import { splitCellKey, styleKey } from "./schema.js";
import { Sheet, SheetLimitError } from "./sheet.js";
import { numberOf, type CellValue } from "./value.js";

export { FILTER_OPS, type ColumnFilter, type FilterArea, type FilterOp };

/**
 * A filter on a header row: the columns it spans (by ids, so it stays on them whatever is inserted
 * or deleted) and what each of them keeps. The rows it filters are those below the header, down
 * to the last row that holds anything.
 */
export interface Filter extends FilterArea {
  /**
   * What each column keeps, by column id; a column without an entry keeps every row. Without a
   * prototype: a crafted column id such as `__proto__` is an entry like any other.
   */
  columns: Readonly<Record<string, ColumnFilter>>;
}

/** Where a filter is on its tab now, or null once its header row or a column of its edge is deleted. */
export interface PlacedFilter {
  filter: Filter;
  header: number;
  from: number;
  to: number;
  /** The last row it filters (the header when nothing is below it). */
  last: number;
}

const AREA_KEY = "filter";
const columnKey = (filterId: string, colId: string) => `filter:${filterId}:${colId}`;

function noPrototype(entries: Iterable<[string, ColumnFilter]> = []): Record<string, ColumnFilter> {
  const columns = Object.create(null) as Record<string, ColumnFilter>;
  for (const [k, v] of entries) columns[k] = v;
  return columns;
}

/** What a column of a filter keeps, if the filter has an entry for it. */
export function columnFilter(filter: Filter, colId: string): ColumnFilter | undefined {
  return Object.hasOwn(filter.columns, colId) ? filter.columns[colId] : undefined;
}

/** A new filter on the header row `header`, over columns `from` to `to`, keeping every row. */
export function newFilter(sheet: Sheet, header: number, from: number, to: number): Filter {
  const rowId = sheet.rows.idAt(header);
  const [first, last] = [sheet.cols.idAt(Math.min(from, to)), sheet.cols.idAt(Math.max(from, to))];
  if (rowId === undefined || first === undefined || last === undefined) {
    throw new SheetLimitError("a filter's header row and columns must be on the sheet");
  }
  return { id: randomId(12), header: rowId, from: first, to: last, columns: noPrototype() };
}

/** The filter with `colId` keeping what `kept` says (every row when null). */
export function withColumn(filter: Filter, colId: string, kept: ColumnFilter | null): Filter {
  const columns = noPrototype(Object.entries(filter.columns));
  if (kept && !keepsAll(kept)) {
    if ((kept.hidden?.length ?? 0) > CONTENT_LIMITS.filterValues) {
      const most = CONTENT_LIMITS.filterValues.toLocaleString("en-US");
      throw new SheetLimitError(`A filter can hide at most ${most} different values of a column: keep rows by a condition instead.`);
    }
    if (!isColumnFilter(kept)) throw new SheetLimitError("this filter condition cannot be kept");
    columns[colId] = kept;
  } else delete columns[colId];
  return { ...filter, columns };
}

function keepsAll(kept: ColumnFilter): boolean {
  return (kept.hidden === undefined || kept.hidden.length === 0) && kept.op === undefined;
}

/** The shared filter of each tab's settings as last read, until they change. */
const shared = new WeakMap<Y.Map<unknown>, Filter | null>();

/** The filter everyone sees on the tab, if there is one (see shareFilter); read again only once the tab's settings change. */
export function sharedFilter(sheet: Sheet): Filter | null {
  const { meta } = sheet.types;
  if (shared.has(meta)) return shared.get(meta)!;
  if (!observed.has(meta)) {
    observed.add(meta);
    meta.observe(() => shared.delete(meta));
  }
  const area = meta.get(AREA_KEY);
  let filter: Filter | null = null;
  if (isFilterArea(area)) {
    const columns = noPrototype();
    for (const [key, value] of meta) {
      const m = FILTER_COLUMN_KEY.exec(key);
      // What was set on a filter since removed (by someone else, at the same time) is not this one's.
      if (m && m[1] === area.id && isColumnFilter(value)) columns[m[2]!] = value;
    }
    filter = { ...area, columns };
  }
  shared.set(meta, filter);
  return filter;
}
const observed = new WeakSet<Y.Map<unknown>>();

/** Removes the column entries that are not `filter`'s (left by filters removed meanwhile), and those it no longer has. */
function dropStale(meta: Y.Map<unknown>, filter: Filter | null): void {
  for (const key of [...meta.keys()]) {
    const m = FILTER_COLUMN_KEY.exec(key);
    if (m && (!filter || m[1] !== filter.id || !Object.hasOwn(filter.columns, m[2]!))) meta.delete(key);
  }
}

/**
 * Makes `filter` the one everyone sees on the tab (null removes it), in one transaction. Each
 * column is its own entry, so two people changing different columns at once both keep theirs.
 */
export function shareFilter(sheet: Sheet, filter: Filter | null, origin?: unknown): void {
  if (filter && (!isFilterArea(areaOf(filter)) || !Object.values(filter.columns).every(isColumnFilter))) {
    throw new SheetLimitError("this filter cannot be kept");
  }
  const { meta } = sheet.types;
  sheet.doc.transact(() => {
    dropStale(meta, filter);
    if (!filter) {
      meta.delete(AREA_KEY);
      return;
    }
    const now = meta.get(AREA_KEY);
    const area = areaOf(filter);
    if (!isFilterArea(now) || JSON.stringify(now) !== JSON.stringify(area)) meta.set(AREA_KEY, area);
    for (const [colId, kept] of Object.entries(filter.columns)) {
      const key = columnKey(filter.id, colId);
      if (JSON.stringify(meta.get(key)) !== JSON.stringify(kept)) meta.set(key, kept);
    }
  }, origin);
}

/** Changes what one column of the shared filter keeps, leaving the others as they are. */
export function shareColumnFilter(sheet: Sheet, colId: string, kept: ColumnFilter | null, origin?: unknown): void {
  const filter = sharedFilter(sheet);
  if (!filter) throw new SheetLimitError("the sheet has no filter for everyone");
  const next = withColumn(filter, colId, kept);
  sheet.doc.transact(() => {
    const key = columnKey(filter.id, colId);
    dropStale(sheet.types.meta, next);
    if (Object.hasOwn(next.columns, colId)) sheet.types.meta.set(key, next.columns[colId]);
  }, origin);
}

function areaOf({ id, header, from, to }: Filter): FilterArea {
  return { id, header, from, to };
}

/** Where a filter is on its tab now (see PlacedFilter). */
export function placeFilter(sheet: Sheet, filter: Filter): PlacedFilter | null {
  const header = sheet.rows.indexOf(filter.header);
  const a = sheet.cols.indexOf(filter.from);
  const b = sheet.cols.indexOf(filter.to);
  if (header < 0 || a < 0 || b < 0) return null;
  const [from, to] = [Math.min(a, b), Math.max(a, b)];
  return { filter, header, from, to, last: lastFilled(sheet, header, from, to) };
}

/**
 * The last row below `header` with anything in columns `from` to `to` (the header when none has):
 * looked for up from the bottom (a table usually ends near the sheet's end), or once that has
 * looked at as many cells as the tab holds, through the tab's cells.
 */
function lastFilled(sheet: Sheet, header: number, from: number, to: number): number {
  const { cells } = sheet.types;
  const ids = sheet.rows.list();
  const cols = sheet.cols.list().slice(from, to + 1);
  let budget = cells.size;
  for (let row = ids.length - 1; row > header && budget > 0; row--, budget -= cols.length) {
    if (cols.some((colId) => cells.has(`${ids[row]}:${colId}`))) return row;
  }
  if (budget > 0) return header;
  let last = header;
  for (const key of cells.keys()) {
    const at = sheet.positionOf(key);
    if (at && at.row > last && at.col >= from && at.col <= to) last = at.row;
  }
  return last;
}

/** What reading a filter's columns found: a formula, or an array spilled into them (what other cells change may change them). */
interface Reading {
  formulas: boolean;
}

/** What a cell shows, and (when asked for) its value as a number, as a filter reads it. */
interface Shown {
  text: string;
  number: number | null;
}

/**
 * A reader of what the cells of a column show (see cellText) and, with `numbers`, the numbers
 * they hold. A hot path: a plain input is read straight from the document, and only a formula, a
 * formatted number or an empty cell an array may spill into asks the formula engine.
 */
function columnReader(sheet: Sheet, col: number, numbers: boolean, seen: Reading = { formulas: false }): (row: number) => Shown {
  const { styles } = sheet.types;
  const ids = sheet.rows.list();
  const colId = sheet.cols.idAt(col)!;
  const engine = FormulaEngine.of(sheet);
  const spilled = new Map<number, CellValue>();
  for (const cell of engine.spilledCells()) if (cell.col === col) spilled.set(cell.row, cell.value);
  const order = sheet.dateOrder;
  if (spilled.size > 0) seen.formulas = true;
  const computed = (row: number, input: string): Shown => {
    if (input !== "" && isFormula(input)) seen.formulas = true;
    const value = engine.valueAt(row, col);
    return { text: cellText(input, value, shownFormat(sheet, row, col)), number: typeof value === "number" ? value : null };
  };
  return (row) => {
    const rowId = ids[row]!;
    const key = `${rowId}:${colId}`;
    const input = sheet.inputOf(key);
    if (input === "") return spilled.has(row) ? computed(row, input) : { text: "", number: null };
    if (isFormula(input) || (styles.size > 0 && styles.has(styleKey(rowId, colId, "numFmt")))) return computed(row, input);
    return { text: input, number: numbers ? numberOf(input, order) : null };
  };
}

/** How a condition's value reads as a number (`gt` and the like), or null when it is not one. */
function conditionNumber(sheet: Sheet, value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  return numberOf(value.trim(), sheet.dateOrder);
}

/** A test of what a cell shows, for one column's filter, and whether it compares numbers. */
function keeper(sheet: Sheet, kept: ColumnFilter): { keeps: (shown: Shown) => boolean; numbers: boolean } {
  const hidden = new Set(kept.hidden ?? []);
  const op = kept.op;
  const target = (kept.value ?? "").toLowerCase();
  const number = op === undefined ? null : conditionNumber(sheet, kept.value);
  const test = op === undefined ? () => true : condition(op, target, number);
  return { keeps: (shown) => !hidden.has(filterValue(shown.text)) && test(shown), numbers: number !== null };
}

/** A number as a cell shows it, without float noise (0.1 + 0.2 is 0.3), for comparing. */
const shownNumber = (n: number) => Number(n.toPrecision(15));

function condition(op: FilterOp, target: string, n: number | null): (shown: Shown) => boolean {
  const text = (s: Shown) => s.text.toLowerCase();
  // Against a number, numbers compare by size (text and empty cells never pass); otherwise as text.
  const compared = (test: (order: number) => boolean) => (s: Shown) => {
    if (n !== null) return s.number !== null && test(shownNumber(s.number) - n);
    return s.text !== "" && test(compareValues(text(s), target));
  };
  const equal = (s: Shown) => (n !== null && s.number !== null ? shownNumber(s.number) === n : text(s) === target);
  switch (op) {
    case "empty":
      return (s) => s.text === "";
    case "notEmpty":
      return (s) => s.text !== "";
    case "contains":
      return (s) => text(s).includes(target);
    case "notContains":
      return (s) => !text(s).includes(target);
    case "startsWith":
      return (s) => text(s).startsWith(target);
    case "endsWith":
      return (s) => text(s).endsWith(target);
    case "is":
      return equal;
    case "isNot":
      return (s) => !equal(s);
    case "gt":
      return compared((d) => d > 0);
    case "gte":
      return compared((d) => d >= 0);
    case "lt":
      return compared((d) => d < 0);
    case "lte":
      return compared((d) => d <= 0);
  }
}

/** A shown value as a filter's list keeps it (long ones by their start). */
export function filterValue(text: string): string {
  return text.slice(0, CONTENT_LIMITS.filterText);
}

/**
 * The rows a filter hides, in order: those below its header, down to the last that holds anything,
 * where a column's filter does not keep what the cell shows (its value as formatted, a formula's
 * result). Text conditions ignore case; a condition on a number compares numbers. `placed` is
 * where the filter is, when the caller knows already.
 */
export function hiddenRows(sheet: Sheet, filter: Filter, placed = placeFilter(sheet, filter)): number[] {
  const passes = placed && rowTest(sheet, filter, placed);
  return placed && passes ? hiddenBy(placed, passes) : [];
}

/** The rows below a filter's header, down to its end, that do not pass. */
function hiddenBy(placed: PlacedFilter, passes: (row: number) => boolean): number[] {
  const hidden: number[] = [];
  for (let row = placed.header + 1; row <= placed.last; row++) if (!passes(row)) hidden.push(row);
  return hidden;
}

/** Whether a row passes every column of a filter (null when no column of its own filters anything). */
function rowTest(sheet: Sheet, filter: Filter, placed: PlacedFilter, seen?: Reading): ((row: number) => boolean) | null {
  const tests: { read: (row: number) => Shown; keeps: (shown: Shown) => boolean }[] = [];
  for (const [colId, kept] of Object.entries(filter.columns)) {
    const col = sheet.cols.indexOf(colId);
    if (col < placed.from || col > placed.to) continue;
    const { keeps, numbers } = keeper(sheet, kept);
    tests.push({ read: columnReader(sheet, col, numbers, seen), keeps });
  }
  return tests.length === 0 ? null : (row) => tests.every(({ read, keeps }) => keeps(read(row)));
}

/**
 * The rows a filter hides (see hiddenRows), kept as the tab changes. After most changes it reads
 * them all again; after edits of plain values in its own rows (typing into a long table), only
 * the rows edited, so a keystroke does not cost a read of the whole table. Reading in full
 * follows a change to the rows, columns, formats or settings of the tab, to the workbook's
 * settings, and while the filtered columns hold a formula or a spill, to anything but the chat
 * and the comments.
 */
export class FilteredRows {
  /** The rows hidden, in order; null when they must be read in full. */
  private hidden: number[] | null = null;
  private placed: PlacedFilter | null = null;
  private passes: ((row: number) => boolean) | null = null;
  private readonly seen: Reading = { formulas: false };
  /** Rows (by id) with a cell in the filter's columns edited since they were last read. */
  private readonly edited = new Set<string>();
  /** The columns filtered, by id. */
  private readonly filtered: ReadonlySet<string>;
  private readonly onTransaction = (tr: Y.Transaction) => this.changed(tr);

  constructor(
    readonly sheet: Sheet,
    readonly filter: Filter,
  ) {
    this.filtered = new Set(Object.keys(filter.columns));
    sheet.doc.on("afterTransaction", this.onTransaction);
  }

  /** Stops following the document. */
  dispose(): void {
    this.sheet.doc.off("afterTransaction", this.onTransaction);
  }

  /** Where the filter is now. */
  where(): PlacedFilter | null {
    this.rows();
    return this.placed;
  }

  /** The rows hidden now, in order (the same array until they change). */
  rows(): readonly number[] {
    if (this.hidden !== null && this.edited.size > 0) this.readEdited();
    if (this.hidden === null) {
      this.seen.formulas = false;
      this.placed = placeFilter(this.sheet, this.filter);
      this.passes = this.placed && rowTest(this.sheet, this.filter, this.placed, this.seen);
      this.hidden = this.placed && this.passes ? hiddenBy(this.placed, this.passes) : [];
      this.edited.clear();
    }
    return this.hidden;
  }

  private changed(tr: Y.Transaction): void {
    if (this.hidden === null) return;
    const { cells, chat, comments, colWidths, rows, cols, meta, book, styles, tabs } = this.sheet.types;
    const formulas = this.seen.formulas;
    for (const [changed, keys] of tr.changed) {
      const type: unknown = changed;
      if (type === chat || type === comments || type === colWidths) continue;
      if (type === cells && !formulas) {
        // A cell of the filter's columns, filtered or not (one past the end moves it).
        const { from, to } = this.placed ?? { from: 0, to: -1 };
        for (const key of keys) {
          if (key === null) continue;
          const [rowId, colId] = splitCellKey(key);
          const col = this.filtered.has(colId) ? from : this.sheet.cols.indexOf(colId);
          if (col >= from && col <= to) this.edited.add(rowId);
        }
        continue;
      }
      // Another tab's types: only a formula could read them.
      if (!formulas && ![rows, cols, meta, book, styles, tabs].some((own) => own === type)) continue;
      this.hidden = null;
      return;
    }
  }

  /** Reads again the rows edited since, or everything when an edit moved where the filter ends. */
  private readEdited(): void {
    const { placed, passes } = this;
    const hidden = [...this.hidden!];
    let moved = false;
    for (const rowId of this.edited) {
      const row = this.sheet.rows.indexOf(rowId);
      if (row < 0 || !placed || row <= placed.header) continue;
      // Below the end, or at it (a cleared last row moves the end up): where the filter ends moves.
      if (row >= placed.last) {
        this.hidden = null;
        return;
      }
      const keep = passes === null || passes(row);
      const at = sortedIndex(hidden, row);
      if (hidden[at] === row && keep) hidden.splice(at, 1);
      else if (hidden[at] !== row && !keep) hidden.splice(at, 0, row);
      else continue;
      moved = true;
    }
    this.edited.clear();
    // A new array only when a row changed: those holding the old one see the change.
    if (moved) this.hidden = hidden;
  }
}

/** Where `value` is, or would go, in an ascending array (the count of those below it). */
export function sortedIndex(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One value a column shows below a filter's header, and how many rows show it. */
export interface FilterChoice {
  value: string;
  count: number;
}

/**
 * The values a column shows in a filter's rows, each once, in sort order (empty last), for its
 * list of values to keep.
 */
export function filterChoices(sheet: Sheet, filter: Filter, col: number, placed = placeFilter(sheet, filter)): FilterChoice[] {
  if (!placed) return [];
  const read = columnReader(sheet, col, true);
  const counts = new Map<string, { count: number; number: number | null }>();
  for (let row = placed.header + 1; row <= placed.last; row++) {
    const shown = read(row);
    const value = filterValue(shown.text);
    const seen = counts.get(value);
    if (seen) seen.count++;
    else counts.set(value, { count: 1, number: shown.number });
  }
  return [...counts]
    .sort(([a, x], [b, y]) => (a === "" || b === "" ? Number(a === "") - Number(b === "") : compareValues(x.number ?? a, y.number ?? b)))
    .map(([value, { count }]) => ({ value, count }));
}
