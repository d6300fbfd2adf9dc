/// <reference path="./fast-formula-parser.d.ts" />
import FormulaParser, { type Arg } from "fast-formula-parser";
import { compareValues } from "./compare.js";
import type { CellValue } from "./value.js";

const { FormulaError } = FormulaParser;

/**
 * Excel's dynamic-array functions that the formula libraries lack or get wrong (formulajs's UNIQUE
 * compares whole arguments): UNIQUE, SORT, SORTBY, FILTER, SEQUENCE, XLOOKUP and XMATCH. They take
 * and give arrays as rows of values; a result of more than one cell spills (see FormulaEngine).
 */

type Grid = unknown[][];

/** An argument as rows of values: a range or an array as it is, a single value as one cell. */
function grid(arg: Arg | undefined): Grid {
  const v = arg?.value;
  return Array.isArray(v) ? (v as Grid) : [[v ?? null]];
}

/** An argument as one value (the first of an array), undefined when it is left out. */
function scalar(arg: Arg | undefined): unknown {
  if (arg === undefined || (arg as Arg & { omitted?: boolean }).omitted) return undefined;
  const v = arg.value;
  return Array.isArray(v) ? (v as Grid)[0]?.[0] : v;
}

function int(arg: Arg | undefined, fallback: number): number | InstanceType<typeof FormulaError> {
  const v = scalar(arg);
  if (v === undefined || v === null) return fallback;
  if (v instanceof FormulaError) return v;
  const n = typeof v === "boolean" ? Number(v) : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : new FormulaError("#VALUE!");
}

function truthy(v: unknown): boolean {
  if (typeof v === "string") return v !== "" && v.toUpperCase() !== "FALSE";
  return Boolean(v);
}

/** A value from the parser as the sort order compares it (errors as errors, empty as null). */
function cellValue(v: unknown): CellValue {
  if (v instanceof FormulaError) return { error: v.error };
  if (v === undefined) return null;
  return v as CellValue;
}

const transpose = (g: Grid): Grid => (g[0] ?? []).map((_, c) => g.map((row) => row[c]));

/** Two values equal as Excel's lookups and UNIQUE see them: text without regard to case. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (a instanceof FormulaError && b instanceof FormulaError) return a.error === b.error;
  return (a ?? null) === (b ?? null);
}

function unique(array: Arg, byCol?: Arg, exactlyOnce?: Arg): unknown {
  const cols = truthy(scalar(byCol));
  const lines = cols ? transpose(grid(array)) : grid(array);
  const key = (line: unknown[]) => JSON.stringify(line.map((v) => (v instanceof FormulaError ? `#${v.error}` : typeof v === "string" ? `s${v.toLowerCase()}` : v ?? null)));
  const counts = new Map<string, { line: unknown[]; n: number }>();
  for (const line of lines) {
    const k = key(line);
    const seen = counts.get(k);
    if (seen) seen.n++;
    else counts.set(k, { line, n: 1 });
  }
  const once = truthy(scalar(exactlyOnce));
  const out = [...counts.values()].filter((c) => !once || c.n === 1).map((c) => c.line);
  if (out.length === 0) return new FormulaError("#CALC!");
  return cols ? transpose(out) : out;
}

/** Orders `lines` by keys (each a value per line), stably; a descending key reverses the order, empty values stay last. */
function orderBy(lines: unknown[][], keys: { values: unknown[]; descending: boolean }[]): unknown[][] {
  const order = lines.map((_, i) => i);
  order.sort((a, b) => {
    for (const { values, descending } of keys) {
      const [x, y] = [cellValue(values[a]), cellValue(values[b])];
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const c = compareValues(x, y);
      if (c !== 0) return descending ? -c : c;
    }
    return a - b;
  });
  return order.map((i) => lines[i]!);
}

function sortOrder(arg: Arg | undefined): boolean | InstanceType<typeof FormulaError> {
  const order = int(arg, 1);
  if (order instanceof FormulaError) return order;
  return order === 1 || order === -1 ? order === -1 : new FormulaError("#VALUE!");
}

function sort(array: Arg, index?: Arg, order?: Arg, byCol?: Arg): unknown {
  const cols = truthy(scalar(byCol));
  const lines = cols ? transpose(grid(array)) : grid(array);
  const at = int(index, 1);
  const descending = sortOrder(order);
  if (at instanceof FormulaError) return at;
  if (descending instanceof FormulaError) return descending;
  if (at < 1 || at > (lines[0]?.length ?? 0)) return new FormulaError("#VALUE!");
  const sorted = orderBy(lines, [{ values: lines.map((l) => l[at - 1]), descending }]);
  return cols ? transpose(sorted) : sorted;
}

function sortBy(array: Arg, ...pairs: Arg[]): unknown {
  const lines = grid(array);
  if (pairs.length === 0) return new FormulaError("#VALUE!");
  const keys: { values: unknown[]; descending: boolean }[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const by = grid(pairs[i]);
    const descending = sortOrder(pairs[i + 1]);
    if (descending instanceof FormulaError) return descending;
    // A column as long as the array sorts its rows; a row as long as its width, its columns.
    const values = by.length === lines.length && by[0]?.length === 1 ? by.map((r) => r[0]) : null;
    if (!values) {
      if (by.length === 1 && by[0]!.length === (lines[0]?.length ?? 0) && lines.length > 0) {
        const cols = transpose(lines);
        const sorted = orderBy(cols, [{ values: by[0]!, descending }]);
        return transpose(sorted);
      }
      return new FormulaError("#VALUE!");
    }
    keys.push({ values, descending });
  }
  return orderBy(lines, keys);
}

function filter(array: Arg, include: Arg, ifEmpty?: Arg): unknown {
  const lines = grid(array);
  const by = grid(include);
  const fail = by.flat().find((v) => v instanceof FormulaError);
  if (fail) return fail;
  let out: Grid;
  if (by.length === lines.length && by[0]?.length === 1) out = lines.filter((_, i) => truthy(by[i]![0]));
  else if (by.length === 1 && by[0]!.length === (lines[0]?.length ?? 0)) out = lines.map((l) => l.filter((_, j) => truthy(by[0]![j])));
  else return new FormulaError("#VALUE!");
  if (out.length === 0 || out[0]!.length === 0) {
    const fallback = ifEmpty === undefined ? undefined : ifEmpty.value;
    return fallback === undefined || (ifEmpty as Arg & { omitted?: boolean }).omitted ? new FormulaError("#CALC!") : fallback;
  }
  return out;
}

/** At most this many cells in an array a function makes from numbers (SEQUENCE). */
export const MAX_ARRAY_CELLS = 1_000_000;

function sequence(rows: Arg, cols?: Arg, start?: Arg, step?: Arg): unknown {
  const [r, c] = [int(rows, 1), int(cols, 1)];
  if (r instanceof FormulaError) return r;
  if (c instanceof FormulaError) return c;
  const [from, by] = [scalar(start) ?? 1, scalar(step) ?? 1].map(Number) as [number, number];
  if (r < 1 || c < 1 || !Number.isFinite(from) || !Number.isFinite(by)) return new FormulaError(r < 1 || c < 1 ? "#CALC!" : "#VALUE!");
  if (r * c > MAX_ARRAY_CELLS) return new FormulaError("#NUM!");
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => from + (i * c + j) * by));
}

/**
 * Where `lookup` is in a row or column of values: match mode 0 exact, -1 exact or next smaller, 1
 * exact or next larger, 2 wildcards (`*`, `?`, `~`); search mode 1 from the first, -1 from the last
 * (2 and -2, binary searches in Excel, search the same way here). -1 when it is not there.
 */
function position(lookup: unknown, values: unknown[], matchMode: number, searchMode: number): number {
  const order = searchMode < 0 ? values.map((_, i) => values.length - 1 - i) : values.map((_, i) => i);
  if (matchMode === 2 && typeof lookup === "string") {
    const pattern = new RegExp(
      `^${lookup.replace(/~([*?~])|([*?])|([.+^${}()|[\]\\])/g, (_, escaped: string, wild: string, special: string) =>
        escaped ? `\\${escaped}` : wild ? (wild === "*" ? ".*" : ".") : `\\${special}`,
      )}$`,
      "is",
    );
    return order.find((i) => typeof values[i] === "string" && pattern.test(values[i] as string)) ?? -1;
  }
  const exact = order.find((i) => same(values[i], lookup));
  if (exact !== undefined || matchMode === 0 || matchMode === 2) return exact ?? -1;
  let best = -1;
  const want = cellValue(lookup);
  for (const i of order) {
    const v = cellValue(values[i]);
    if (v === null || want === null || typeof v !== typeof want) continue;
    const c = compareValues(v, want);
    if ((matchMode === -1 && c < 0) || (matchMode === 1 && c > 0)) {
      if (best < 0 || compareValues(v, cellValue(values[best])!) * matchMode < 0) best = i;
    }
  }
  return best;
}

function modes(match: Arg | undefined, search: Arg | undefined): [number, number] | InstanceType<typeof FormulaError> {
  const [m, s] = [int(match, 0), int(search, 1)];
  if (m instanceof FormulaError) return m;
  if (s instanceof FormulaError) return s;
  if (![0, -1, 1, 2].includes(m) || ![1, -1, 2, -2].includes(s)) return new FormulaError("#VALUE!");
  return [m, s];
}

/** A one-row or one-column array as its values, with whether it is a row; null for anything wider. */
function vector(g: Grid): { values: unknown[]; row: boolean } | null {
  if (g.length === 1) return { values: g[0]!, row: true };
  if (g.every((r) => r.length === 1)) return { values: g.map((r) => r[0]), row: false };
  return null;
}

function xlookup(lookup: Arg, lookupArray: Arg, returnArray: Arg, ifNotFound?: Arg, match?: Arg, search?: Arg): unknown {
  const m = modes(match, search);
  if (m instanceof FormulaError) return m;
  const key = scalar(lookup);
  if (key instanceof FormulaError) return key;
  const along = vector(grid(lookupArray));
  const results = grid(returnArray);
  if (!along) return new FormulaError("#VALUE!");
  const length = along.row ? results[0]?.length : results.length;
  if (length !== along.values.length) return new FormulaError("#VALUE!");
  const i = position(key, along.values, ...m);
  if (i < 0) {
    const fallback = ifNotFound && !(ifNotFound as Arg & { omitted?: boolean }).omitted ? ifNotFound.value : undefined;
    return fallback === undefined ? new FormulaError("#N/A") : fallback;
  }
  // The matching row (or column) of the return array: one value, or several that spill.
  return along.row ? results.map((r) => [r[i]]) : [results[i]!];
}

function xmatch(lookup: Arg, lookupArray: Arg, match?: Arg, search?: Arg): unknown {
  const m = modes(match, search);
  if (m instanceof FormulaError) return m;
  const key = scalar(lookup);
  if (key instanceof FormulaError) return key;
  const along = vector(grid(lookupArray));
  if (!along) return new FormulaError("#VALUE!");
  const i = position(key, along.values, ...m);
  return i < 0 ? new FormulaError("#N/A") : i + 1;
}

/** The dynamic-array functions, by name, for the parser. */
export const ARRAY_FUNCTIONS: Record<string, (...args: Arg[]) => unknown> = {
  UNIQUE: unique as (...args: Arg[]) => unknown,
  SORT: sort as (...args: Arg[]) => unknown,
  SORTBY: sortBy as (...args: Arg[]) => unknown,
  FILTER: filter as (...args: Arg[]) => unknown,
  SEQUENCE: sequence as (...args: Arg[]) => unknown,
  XLOOKUP: xlookup as (...args: Arg[]) => unknown,
  XMATCH: xmatch as (...args: Arg[]) => unknown,
};
