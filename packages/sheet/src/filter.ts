import { compareValues } from "./compare.js";
import { CONTENT_LIMITS, FILTER_OPS, isColumnFilter, isFilterArea, type ColumnFilter, type FilterArea, type FilterOp } from "./content.js";
import { cellText, FormulaEngine, shownFormat } from "./formula.js";
import { randomId } from "./ids.js";
import { Sheet, SheetLimitError } from "./sheet.js";
import { numberOf } from "./value.js";

export { FILTER_OPS, type ColumnFilter, type FilterArea, type FilterOp };

/**
 * A filter on a header row: the columns it spans (by ids, so it stays on them whatever is inserted
 * or deleted) and what each of them keeps. The rows it filters are those below the header, down
 * to the last row that holds anything.
 */
export interface Filter extends FilterArea {
  /** What each column keeps, by column id; a column without an entry keeps every row. */
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
const COLUMN_KEY = /^filter:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{1,32})$/;
const columnKey = (filterId: string, colId: string) => `filter:${filterId}:${colId}`;

/** A new filter on the header row `header`, over columns `from` to `to`, keeping every row. */
export function newFilter(sheet: Sheet, header: number, from: number, to: number): Filter {
  const rowId = sheet.rows.idAt(header);
  const [first, last] = [sheet.cols.idAt(Math.min(from, to)), sheet.cols.idAt(Math.max(from, to))];
  if (rowId === undefined || first === undefined || last === undefined) {
    throw new SheetLimitError("a filter's header row and columns must be on the sheet");
  }
  return { id: randomId(12), header: rowId, from: first, to: last, columns: {} };
}

/** The filter with `colId` keeping what `kept` says (every row when null). */
export function withColumn(filter: Filter, colId: string, kept: ColumnFilter | null): Filter {
  const columns = { ...filter.columns };
  if (kept && !keepsAll(kept)) {
    if (!isColumnFilter(kept)) throw new SheetLimitError("this filter condition cannot be kept");
    columns[colId] = kept;
  } else delete columns[colId];
  return { ...filter, columns };
}

function keepsAll(kept: ColumnFilter): boolean {
  return (kept.hidden === undefined || kept.hidden.length === 0) && kept.op === undefined;
}

/** The filter everyone sees on the tab, if there is one (see shareFilter). */
export function sharedFilter(sheet: Sheet): Filter | null {
  const area = sheet.types.meta.get(AREA_KEY);
  if (!isFilterArea(area)) return null;
  const columns: Record<string, ColumnFilter> = {};
  for (const [key, value] of sheet.types.meta) {
    const m = COLUMN_KEY.exec(key);
    // What was set on a filter since removed (by someone else, at the same time) is not this one's.
    if (m && m[1] === area.id && isColumnFilter(value)) columns[m[2]!] = value;
  }
  return { ...area, columns };
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
    for (const key of [...meta.keys()]) {
      const m = COLUMN_KEY.exec(key);
      if (m && (!filter || m[1] !== filter.id || !Object.hasOwn(filter.columns, m[2]!))) meta.delete(key);
    }
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
    if (Object.hasOwn(next.columns, colId)) sheet.types.meta.set(key, next.columns[colId]);
    else sheet.types.meta.delete(key);
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
  const used = sheet.usedRange();
  return { filter, header, from: Math.min(a, b), to: Math.max(a, b), last: Math.max(header, used ? used.end.row : 0) };
}

/** What a cell shows, and its value, as a filter reads it. */
function reader(sheet: Sheet): (row: number, col: number) => { text: string; number: number | null } {
  const engine = FormulaEngine.of(sheet);
  return (row, col) => {
    const input = sheet.storedInput(row, col);
    const value = engine.valueAt(row, col);
    const text = cellText(input, value, shownFormat(sheet, row, col));
    return { text, number: typeof value === "number" ? value : null };
  };
}

/** How a condition's value reads as a number (`gt` and the like), or null when it is not one. */
function conditionNumber(sheet: Sheet, value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  return numberOf(value.trim(), sheet.dateOrder);
}

/** A test of what a cell shows, for one column's filter. */
function keeper(sheet: Sheet, kept: ColumnFilter): (shown: { text: string; number: number | null }) => boolean {
  const hidden = new Set(kept.hidden ?? []);
  const op = kept.op;
  const target = (kept.value ?? "").toLowerCase();
  const number = conditionNumber(sheet, kept.value);
  const test = op === undefined ? () => true : condition(op, target, number);
  return (shown) => !hidden.has(filterValue(shown.text)) && test(shown);
}

function condition(op: FilterOp, target: string, n: number | null): (shown: { text: string; number: number | null }) => boolean {
  const text = (s: { text: string }) => s.text.toLowerCase();
  // Against a number, numbers compare by size (text and empty cells never pass); otherwise as text.
  const compared = (test: (order: number) => boolean) => (s: { text: string; number: number | null }) => {
    if (n !== null) return s.number !== null && test(s.number - n);
    return s.text !== "" && test(compareValues(text(s), target));
  };
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
      return (s) => (n !== null && s.number !== null ? s.number === n : text(s) === target);
    case "isNot":
      return (s) => !(n !== null && s.number !== null ? s.number === n : text(s) === target);
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
 * result). Text conditions ignore case; a condition on a number compares numbers.
 */
export function hiddenRows(sheet: Sheet, filter: Filter): number[] {
  const placed = placeFilter(sheet, filter);
  if (!placed) return [];
  const read = reader(sheet);
  const tests: { col: number; keeps: ReturnType<typeof keeper> }[] = [];
  for (const [colId, kept] of Object.entries(filter.columns)) {
    const col = sheet.cols.indexOf(colId);
    if (col >= placed.from && col <= placed.to) tests.push({ col, keeps: keeper(sheet, kept) });
  }
  const hidden: number[] = [];
  if (tests.length === 0) return hidden;
  for (let row = placed.header + 1; row <= placed.last; row++) {
    if (!tests.every(({ col, keeps }) => keeps(read(row, col)))) hidden.push(row);
  }
  return hidden;
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
export function filterChoices(sheet: Sheet, filter: Filter, col: number): FilterChoice[] {
  const placed = placeFilter(sheet, filter);
  if (!placed) return [];
  const read = reader(sheet);
  const counts = new Map<string, { count: number; number: number | null }>();
  for (let row = placed.header + 1; row <= placed.last; row++) {
    const shown = read(row, col);
    const value = filterValue(shown.text);
    const seen = counts.get(value);
    if (seen) seen.count++;
    else counts.set(value, { count: 1, number: shown.number });
  }
  return [...counts]
    .sort(([a, x], [b, y]) => (a === "" || b === "" ? Number(a === "") - Number(b === "") : compareValues(x.number ?? a, y.number ?? b)))
    .map(([value, { count }]) => ({ value, count }));
}
