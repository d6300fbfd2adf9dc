/// <reference path="./fast-formula-parser.d.ts" />
import * as formulajs from "@formulajs/formulajs";
import FormulaParser, { type Arg, type RangeRef } from "fast-formula-parser";
import type * as Y from "yjs";
import type { CellRef, Range } from "./a1.js";
import { ARRAY_FUNCTIONS } from "./arrays.js";
import type { Axis } from "./axis.js";
import { dateToSerial } from "./dates.js";
import { DATE_CODE, DATETIME_CODE, formatNumber, impliedFormat, isStyleValue } from "./format.js";
import { formulaFromStored, formulaReferences, isFormula, namedIds } from "./refs.js";
import { cellKey, splitCellKey, styleKey } from "./schema.js";
import { Sheet } from "./sheet.js";
import { valueOf, type CellError, type CellValue } from "./value.js";

const { FormulaError } = FormulaParser;

/** The error a cell shows when its formula depends on itself. */
export const CIRCULAR = "#CIRCULAR!";

/** A formula cell to evaluate, on the tab of `engine`. */
interface Frame {
  engine: FormulaEngine;
  row: number;
  col: number;
  rowId: string;
  colId: string;
  key: string;
  /** The formula as stored (references as ids). */
  stored: string;
  /** Set once it has been evaluated a first time: it is waiting on what it read (see evaluateFrom). */
  started?: boolean;
  /** Its latest evaluation attempt. */
  last?: Attempt;
}

const engines = new WeakMap<Sheet, FormulaEngine>();
/** A stored reference to a tab by id (see refs.ts). */
const TAB_QUALIFIED = /\u27e8[A-Za-z0-9_-]+!/;
/** The engines of each workbook's tabs: an edit on one tab can change values on the others. */
const books = new WeakMap<Y.Doc, Book>();

/**
 * Tracing dependents costs (changed cells × formulas read) range checks; past this, an edit
 * forgets every value instead, which gives the same values for less work.
 */
const INVALIDATION_BUDGET = 1_000_000;

/** At most this many formula texts are kept (see FormulaEngine.texts). */
const MAX_TEXTS = 500_000;
/**
 * Functions whose value depends on where cells are, or that take a reference without reading all
 * it covers (INDEX reads the one cell it answers): a move may change them with nothing they read.
 */
const POSITIONAL = /\b(?:ROWS?|COLUMNS?|OFFSET|INDIRECT|INDEX|CELL|AREAS|ISREF)\s*\(/i;

const err = (error: string): CellError => ({ error });

/** The error of a formula whose array cannot spill: a cell it would cover holds something, or it runs off the sheet. */
export const SPILL = "#SPILL!";
/** At most this many cells in one spilled array; a larger one shows {@link SPILL}. */
export const MAX_SPILL_CELLS = 1_000_000;

/** A formula's result of more than one cell: rows of values, spilling right and down from its cell. */
type ArrayValue = CellValue[][];

/** How far a formula's array can reach from its cell, at most; null when nothing bounds it. */
type Reach = { rows: number; cols: number } | null;

/** `=SEQUENCE(3)`, `=SEQUENCE(2, 4, …)`: a generator whose size is written out. */
const WRITTEN_SEQUENCE = /^=\s*SEQUENCE\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?(?:,[^()]*)?\)\s*$/i;
/** Generators sized by what they read, and whole rows or columns: no bound on an array's size. */
const UNBOUNDED = /\b(?:SEQUENCE|RANDARRAY|MUNIT)\s*\(|\u27e8[^\u27e9]*\*[^\u27e9]*\u27e9/i;

/**
 * Formulas that may give an array (by a function that makes one, an array constant, or a range in
 * arithmetic or alone): only these are evaluated to find what spills into an empty cell. Others
 * found to spill anyway (rarely: a lookup returning a range) spill once evaluated.
 */
const STORED_RANGE_TEXT = String.raw`\u27e8[^\u27e9]*\u27e9:\u27e8[^\u27e9]*\u27e9`;
const MAY_SPILL = new RegExp(
  [
    String.raw`\b(?:UNIQUE|SORTBY|SORT|FILTER|SEQUENCE|TRANSPOSE|XLOOKUP|MMULT|MUNIT|MINVERSE|FREQUENCY)\s*\(`,
    String.raw`\{`,
    String.raw`${STORED_RANGE_TEXT}\s*[-+*/^&<>=]`,
    String.raw`[-+*/^&<>=]\s*${STORED_RANGE_TEXT}`,
    String.raw`^=\s*\(*\s*${STORED_RANGE_TEXT}\s*\)*\s*$`,
  ].join("|"),
  "i",
);

/**
 * Functions whose fast-formula-parser version differs from Excel: TRIM keeps inner runs of spaces,
 * SEARCH is case-sensitive, EDATE runs past the end of a month, CHOOSE is not implemented.
 */
const PREFER_FORMULAJS = new Set(["TRIM", "SEARCH", "EDATE", "CHOOSE"]);

/** Excel's older names for functions formulajs has under their newer ones. */
const LEGACY_NAMES: Record<string, string> = {
  MODE: "MODE.SNGL",
  STDEV: "STDEV.S",
  VAR: "VAR.S",
  PERCENTILE: "PERCENTILE.INC",
  QUARTILE: "QUARTILE.INC",
  RANK: "RANK.EQ",
};

/** A formulajs result as a cell value: Dates (local time) become serial dates, Errors become errors. */
function fromFormulajs(result: unknown): unknown {
  if (result instanceof Error) return new FormulaError(/^#/.test(result.message) ? result.message : "#VALUE!");
  if (result instanceof Date) return dateToSerial(result, "local");
  return result;
}

/** SUBSTITUTE with its fourth argument replacing only that occurrence, as in Excel. */
function substitute(text: unknown, search: unknown, replacement: unknown, instance?: unknown): unknown {
  const [t, s, r] = [text, search, replacement].map((v) => (v == null ? "" : String(v))) as [string, string, string];
  if (instance === undefined || instance === null) return s === "" ? t : t.split(s).join(r);
  const n = Number(instance);
  if (!Number.isInteger(n) || n < 1) return new FormulaError("#VALUE!");
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = t.indexOf(s, at + 1);
    if (at < 0 || s === "") return t;
  }
  return t.slice(0, at) + r + t.slice(at + s.length);
}

let gapFunctions: Record<string, (...args: Arg[]) => unknown> | null = null;

/**
 * The functions fast-formula-parser lacks (UPPER, SUBSTITUTE, MAX, MIN, MEDIAN, MATCH, COUNTA,
 * STDEV.S…), taken from formulajs: arguments are unwrapped, an error among them is passed on as
 * Excel does, and formulajs's Error and Date results become spreadsheet errors and serial dates.
 */
function gaps(): Record<string, (...args: Arg[]) => unknown> {
  if (gapFunctions) return gapFunctions;
  const builtIn = new Set(new FormulaParser({ onCell: () => null, onRange: () => [[null]] }).supportedFunctions());
  const available = new Map<string, (...xs: unknown[]) => unknown>();
  for (const [name, value] of Object.entries(formulajs)) {
    if (!/^[A-Z][A-Z0-9]*$/.test(name)) continue;
    if (typeof value === "function") available.set(name, value as (...xs: unknown[]) => unknown);
    else if (value && typeof value === "object") {
      // Dotted names (STDEV.S, MODE.SNGL…) are nested objects in formulajs.
      for (const [part, fn] of Object.entries(value)) {
        if (typeof fn === "function" && /^[A-Z]+$/.test(part)) available.set(`${name}.${part}`, fn as (...xs: unknown[]) => unknown);
      }
    }
  }
  for (const [legacy, modern] of Object.entries(LEGACY_NAMES)) {
    const fn = available.get(modern);
    if (fn && !available.has(legacy)) available.set(legacy, fn);
  }
  available.set("SUBSTITUTE", substitute);
  gapFunctions = {};
  for (const [name, fn] of available) {
    if (builtIn.has(name) && !PREFER_FORMULAJS.has(name)) continue;
    gapFunctions[name] = (...args: Arg[]) => {
      const values = args.map((a) => a?.value);
      const failed = values.find((v) => v instanceof FormulaError);
      return failed ?? fromFormulajs(fn(...values));
    };
  }
  return gapFunctions;
}

let names: string[] | null = null;

/** Every function a formula can call, sorted. */
export function functionNames(): readonly string[] {
  names ??= [
    ...new Set([
      ...new FormulaParser({ onCell: () => null, onRange: () => [[null]] }).supportedFunctions(),
      ...Object.keys(gaps()),
      ...Object.keys(ARRAY_FUNCTIONS),
    ]),
  ].sort();
  return names;
}

/** What an evaluated formula read, kept with its value (see FormulaEngine.remap). */
interface Reads {
  /** The rectangles it read (see Attempt.reads). */
  rects: number[];
  /** The formula as stored when it was evaluated (it is forgotten when that changes). */
  stored: string;
}

/** What one evaluation attempt of a formula found while reading its references. */
interface Attempt {
  frame: Frame;
  /** The rectangles it read, for invalidation: row0, col0, row1, col1 for each (positions as of now). */
  reads: number[];
  /** The same, on other tabs, by tab id. */
  foreign: Map<string, number[]>;
  /** Formula cells it read that have no value yet: they are evaluated first, then it again. */
  missing: Frame[];
  /** Set when it read a formula that is waiting on it: a cycle. */
  cycleAt: { engine: FormulaEngine; key: string } | null;
  /** Random numbers drawn so far (see FormulaEngine.draw). */
  draws?: number;
}

/**
 * Computes cell values with fast-formula-parser, one engine per tab. A formula is parsed and
 * evaluated once; the cells it reads, on its tab or others, are recorded as it reads them. When it
 * reads a formula that has no value yet, that result is thrown away, the formula it read is
 * evaluated first (an explicit stack shared by the tabs: no recursion, so long chains cannot
 * overflow, and a formula read while it waits on what it read is a cycle, shown as
 * {@link CIRCULAR}), and it is evaluated again. Values are cached by cell; an edit forgets only
 * the values that read it.
 */
export class FormulaEngine {
  private readonly cache = new Values();
  /** What each evaluated formula reads, by key. */
  private readonly reads = new Map<string, Reads>();
  /** The rectangles each evaluated formula reads on other tabs, by tab id. */
  private readonly foreign = new Map<string, Map<string, number[]>>();
  private readonly parser: FormulaParser;
  /** Stored formula -> its A1 text, kept until rows or columns move. */
  private readonly texts = new Map<string, string>();
  /** The formulas evaluated once and waiting on what they read, by key (reading one is a cycle). */
  private readonly onStack = new Set<string>();
  private attempt: Attempt | null = null;
  private readonly book: Book;
  /**
   * Stored formula -> the row and column ids it names, or null when a move may change its value
   * with nothing it reads (see remap).
   */
  private readonly named = new Map<string, string[] | null>();
  /** The row and column ids as the recorded reads' positions are (see remap). */
  private seen: { rows: readonly string[]; cols: readonly string[] };
  /** Formulas settled after rows or columns moved, before the engine saw the move: their reads are in the new positions. */
  private readonly settledMoved = new Set<string>();
  /**
   * The arrays of evaluated formulas, by the key of the formula's cell: those that spill (the value
   * cached there is their first) and those that cannot (it shows {@link SPILL}).
   */
  private readonly spills = new Map<string, { values: ArrayValue; blocked: boolean }>();
  /** The formulas that may spill (see MAY_SPILL), by key; found on first need, then kept as cells change. */
  private maySpill: Set<string> | null = null;
  /** Those of them with no value yet. */
  private readonly unsettled = new Set<string>();
  /** Stored formula -> how far its array can reach (see reach), kept until rows or columns move. */
  private readonly reaches = new Map<string, Reach>();
  /** Formulas evaluated so far (for tests and benchmarks). */
  evaluations = 0;

  static of(sheet: Sheet): FormulaEngine {
    let engine = engines.get(sheet);
    if (!engine) {
      engine = new FormulaEngine(sheet);
      engines.set(sheet, engine);
    }
    return engine;
  }

  private constructor(readonly sheet: Sheet) {
    this.seen = { rows: sheet.rows.list(), cols: sheet.cols.list() };
    this.parser = new FormulaParser({
      onCell: (ref) => {
        const other = this.tabNamed(ref.sheet);
        if (other === undefined) return new FormulaError("#REF!");
        if (other) return this.readOn(other, ref.row - 1, ref.col - 1, ref.row - 1, ref.col - 1)[0]![0];
        this.attempt?.reads.push(ref.row - 1, ref.col - 1, ref.row - 1, ref.col - 1);
        return this.forParser(this.read(this, ref.row - 1, ref.col - 1));
      },
      onRange: (ref) => this.rangeValues(ref),
      functions: {
        ...gaps(),
        ...ARRAY_FUNCTIONS,
        RAND: () => this.draw(),
        RANDBETWEEN: (low: Arg, high: Arg) => {
          const [lo, hi] = [Math.ceil(Number(low?.value)), Math.floor(Number(high?.value))];
          if (!Number.isFinite(lo) || !Number.isFinite(hi)) return new FormulaError("#VALUE!");
          return lo > hi ? new FormulaError("#NUM!") : lo + Math.floor(this.draw() * (hi - lo + 1));
        },
      },
    });
    let book = books.get(sheet.doc);
    if (!book) {
      const made = (book = new Book(FormulaEngine.invalidate));
      books.set(sheet.doc, book);
      sheet.doc.on("afterTransaction", (tr: Y.Transaction) => made.note(tr));
    }
    book.engines.add(this);
    this.book = book;
  }

  /**
   * The engine of the tab a reference names (`Data!B2`), null for this tab, undefined for a name
   * no tab has (which reads as `#REF!`: never another tab's cell).
   */
  private tabNamed(name: string | undefined): FormulaEngine | null | undefined {
    if (name === undefined || name === this.sheet.tab) return null;
    const tab = this.sheet.tabLookup.named(name);
    if (!tab) {
      // Noted as a read of no tab: when the tabs change, the formula is evaluated again.
      this.attempt?.foreign.set("", []);
      return undefined;
    }
    return tab.id === this.sheet.tab ? null : FormulaEngine.of(Sheet.of(this.sheet.doc, tab.id));
  }

  /** The values of a rectangle of another tab (0-based, inclusive), recorded as read. */
  private readOn(other: FormulaEngine, r0: number, c0: number, r1: number, c1: number): unknown[][] {
    const attempt = this.attempt;
    if (attempt) {
      let rects = attempt.foreign.get(other.sheet.tab);
      if (!rects) attempt.foreign.set(other.sheet.tab, (rects = []));
      rects.push(r0, c0, r1, c1);
    }
    const out: unknown[][] = [];
    for (let r = r0; r <= Math.min(r1, other.sheet.rowCount - 1); r++) {
      const line: unknown[] = [];
      for (let c = c0; c <= Math.min(c1, other.sheet.colCount - 1); c++) line.push(this.forParser(this.read(other, r, c)));
      out.push(line);
    }
    return out.length > 0 && out[0]!.length > 0 ? out : [[null]];
  }

  /**
   * Forgets what changes since the last read made stale on this tab: after its rows or columns
   * moved, the formulas whose reads no longer hold the same cells (see remap); and the formulas
   * that read a tab whose rows or columns moved. Answers those and `cells`, the cells set here
   * since, whose dependents are forgotten in turn.
   */
  private staleAfter(cells: Iterable<string | null>, moved: ReadonlySet<string>, renamed: boolean): (string | null)[] {
    if (moved.size > 0 || renamed) {
      this.texts.clear();
      this.reaches.clear();
    }
    if (this.maySpill) {
      for (const key of cells) {
        if (key === null) continue;
        const input = this.sheet.inputOf(key);
        if (isFormula(input) && MAY_SPILL.test(input)) this.maySpill.add(key);
        else {
          this.maySpill.delete(key);
          this.unsettled.delete(key);
        }
      }
    }
    const stale: (string | null)[] = moved.has(this.sheet.tab) ? this.remap() : [];
    // Tabs renamed, added or deleted: every formula reading another tab (or a name no tab had) may
    // read something else now; they are forgotten as if edited, so their dependents are too. So
    // are those naming another tab (the "" mark) after any move: a reference there that is #REF!
    // reads nothing, and a move may bring its row or column back.
    for (const [key, byTab] of this.foreign) {
      if (renamed || [...byTab.keys()].some((tab) => moved.has(tab) || (tab === "" && moved.size > 0))) stale.push(key);
    }
    return [...stale, ...cells];
  }

  /**
   * Forgets the values the workbook's changes since the last read may have changed (see Book), in
   * every tab: after a cell edit, that cell's and those of the formulas reading it, on its tab and
   * on others, transitively; after a tab's rows or columns moved, everything on it and every
   * formula reading it.
   */
  private static invalidate(this: void, engines: ReadonlySet<FormulaEngine>, changes: Changes): void {
    const list = [...engines];
    if (changes.all) {
      for (const e of list) e.forgetAll();
      return;
    }
    const { renamed } = changes;
    // Rows or columns moved since the reads were recorded: a move is seen by its axis' id list,
    // which each move replaces (a move in a transaction still under way too, if a value is read
    // in it after earlier changes).
    const moved = new Set(list.filter((e) => e.sheet.rows.list() !== e.seen.rows || e.sheet.cols.list() !== e.seen.cols).map((e) => e.sheet.tab));
    const queue: [FormulaEngine, Range][] = [...changes.spilled];
    const reads = list.reduce((n, e) => n + e.reads.size + e.foreign.size, 0);
    for (const engine of list) {
      const changed = engine.staleAfter(changes.cells.get(engine.sheet.tab) ?? [], moved, renamed);
      if (changed.length * reads > INVALIDATION_BUDGET) {
        // A big paste or import: recomputing on demand costs less than tracing every dependent.
        for (const e of list) e.forgetAll();
        return;
      }
      for (const key of changed) {
        if (key === null) continue;
        const area = engine.forget(key);
        if (area) queue.push([engine, area]);
      }
    }
    while (queue.length > 0) {
      const [from, area] = queue.pop()!;
      for (const engine of list) {
        for (const key of engine.readersOf(from.sheet.tab, area)) {
          const dependent = engine.forget(key);
          if (dependent) queue.push([engine, dependent]);
        }
      }
    }
  }

  /**
   * After this tab's rows or columns moved: keeps the value of each formula whose reads hold the
   * same cells as before, side by side as they were (a row inserted above a SUM's range moves the
   * range whole), with its reads moved to the new positions. Forgets the rest and answers their
   * keys: a read an insert or delete cut into, one past the end of an axis that changed (a whole
   * column), a formula whose own row or column is gone or back, one naming a row or column that
   * is gone or back (its reference is `#REF!`, or no longer), those calling functions that read positions, and those
   * evaluated during the move's transaction (their reads are in neither layout for certain).
   */
  private remap(): string[] {
    const { rows, cols } = this.sheet;
    const before = this.seen;
    const now = (this.seen = { rows: rows.list(), cols: cols.list() });
    if (this.reads.size === 0) {
      // No formula to keep: no need to work out which ids went or came back.
      this.settledMoved.clear();
      return [];
    }
    const toggled = new Set<string>();
    for (const [was, is] of [[before.rows, now.rows], [before.cols, now.cols]] as const) {
      if (was === is) continue;
      const gone = new Set(was);
      for (const id of is) if (!gone.delete(id)) toggled.add(id);
      for (const id of gone) toggled.add(id);
    }
    const forgotten: string[] = [];
    for (const [key, { rects, stored }] of this.reads) {
      const named = this.settledMoved.has(key) ? null : this.namedBy(stored);
      const moved =
        named !== null && !named.some((id) => toggled.has(id)) && !splitCellKey(key).some((id) => toggled.has(id))
          ? moveRects(rects, before.rows, rows) && moveRects(rects, before.cols, cols, 1)
          : false;
      if (moved) continue;
      forgotten.push(key);
      this.forget(key);
    }
    this.settledMoved.clear();
    return forgotten;
  }

  /**
   * The ids a stored formula names; null when it calls a function that reads positions
   * (POSITIONAL) or has a reference kept as A1 text (one beyond the sheet when typed), which
   * names a place, not a cell.
   */
  private namedBy(stored: string): string[] | null {
    let answer = this.named.get(stored);
    if (answer === undefined) {
      answer = POSITIONAL.test(stored) ? null : namedIds(stored);
      if (this.named.size >= MAX_TEXTS) this.named.clear();
      this.named.set(stored, answer);
    }
    return answer;
  }

  /** Forgets every value, so the next reads compute them again (a full recalculation). */
  forgetAll(): void {
    // What the workbook's changes made stale on other tabs first: the move noted here is about to be forgotten.
    this.book.catchUp();
    this.cache.clear();
    this.reads.clear();
    this.foreign.clear();
    this.texts.clear();
    this.settledMoved.clear();
    this.spills.clear();
    this.maySpill = null;
    this.unsettled.clear();
    this.reaches.clear();
    this.seen = { rows: this.sheet.rows.list(), cols: this.sheet.cols.list() };
  }

  /**
   * Forgets a cell's value and answers the cells whose readers are to be forgotten in turn: the
   * cell, and for a formula that may spill (or did), the cells its array covered and those it may
   * cover now (see reach; to the sheet's edge when nothing bounds it). Null once its row or column
   * is gone.
   */
  private forget(key: string): Range | null {
    const spill = this.spills.get(key);
    this.spills.delete(key);
    this.cache.delete(key);
    this.reads.delete(key);
    this.foreign.delete(key);
    const at = this.sheet.positionOf(key);
    const may = this.maySpill?.has(key) ?? false;
    if (may) this.unsettled.add(key);
    if (!at) return null;
    let [height, width] = spill ? [spill.values.length, spill.values[0]!.length] : [1, 1];
    if (may) {
      const reach = this.reach(this.sheet.inputOf(key));
      height = Math.max(height, reach ? reach.rows : this.sheet.rowCount - at.row);
      width = Math.max(width, reach ? reach.cols : this.sheet.colCount - at.col);
    }
    return { start: at, end: { row: at.row + height - 1, col: at.col + width - 1 } };
  }

  /** The formulas here that read a cell of a range of `tab` (this tab's own, or another's), by key. */
  private readersOf(tab: string, area: Range): string[] {
    const keys: string[] = [];
    if (tab === this.sheet.tab) {
      for (const [key, { rects }] of this.reads) if (readsRange(rects, area)) keys.push(key);
    } else {
      for (const [key, byTab] of this.foreign) {
        const ranges = byTab.get(tab);
        if (ranges && readsRange(ranges, area)) keys.push(key);
      }
    }
    return keys;
  }

  /** The formulas of the tab that may spill (see MAY_SPILL), found in its cells on first need. */
  private spillers(): Set<string> {
    if (!this.maySpill) {
      this.maySpill = new Set();
      for (const [key, stored] of this.sheet.types.cells) {
        if (typeof stored === "string" && isFormula(stored) && MAY_SPILL.test(stored)) {
          this.maySpill.add(key);
          const [rowId, colId] = splitCellKey(key);
          if (this.cache.get(rowId, colId) === undefined) this.unsettled.add(key);
        }
      }
    }
    return this.maySpill;
  }

  /**
   * How many rows and columns a formula's array can span at most: a function of ranges (UNIQUE,
   * SORT, FILTER, XLOOKUP…) or arithmetic on them gives no more rows than its tallest range nor
   * columns than its widest (TRANSPOSE swaps them, FREQUENCY adds a row), an array constant its
   * own size, a SEQUENCE its written size. Null for anything else (a generator sized by what it
   * reads, whole rows or columns).
   */
  private reach(stored: string): Reach {
    let reach = this.reaches.get(stored);
    if (reach !== undefined) return reach;
    const written = WRITTEN_SEQUENCE.exec(stored);
    if (written) reach = { rows: Number(written[1]), cols: Number(written[2] ?? 1) };
    else if (UNBOUNDED.test(stored)) reach = null;
    else {
      const text = formulaFromStored(stored, this.sheet.rows, this.sheet.cols, this.sheet.tabLookup);
      let [rows, cols] = [1, 1];
      for (const { range } of formulaReferences(text)) {
        rows = Math.max(rows, range.end.row - range.start.row + 1);
        cols = Math.max(cols, range.end.col - range.start.col + 1);
      }
      for (const constant of text.match(/\{[^}]*\}/g) ?? []) {
        rows = Math.max(rows, constant.split(";").length);
        cols = Math.max(cols, constant.split(/[,;]/).length);
      }
      if (/\bTRANSPOSE\s*\(/i.test(text)) rows = cols = Math.max(rows, cols);
      if (/\bFREQUENCY\s*\(/i.test(text)) rows++;
      reach = { rows, cols };
    }
    if (this.reaches.size >= MAX_TEXTS) this.reaches.clear();
    this.reaches.set(stored, reach);
    return reach;
  }

  /**
   * What an empty cell shows: a value spilled into it, or null. The formulas above and to the
   * left of it that may spill are evaluated first: while a formula is evaluated, they are noted as
   * missing (it is evaluated again after them, and this answers null for now); otherwise at once.
   */
  private spilledAt(row: number, col: number, attempt: Attempt | null): CellValue {
    if (this.spillers().size === 0) return null;
    if (this.unsettled.size > 0) {
      const frames: Frame[] = [];
      for (const key of this.unsettled) {
        const [rowId, colId] = splitCellKey(key);
        const at = this.sheet.positionOfIds({ rowId, colId });
        if (!at || at.row > row || at.col > col) continue;
        const stored = this.sheet.inputOf(key);
        if (!isFormula(stored)) continue;
        // Only a formula whose array could reach the cell: reading another that cannot would be
        // waiting on it for nothing (and, where it reads this one, a cycle that is not one).
        const reach = this.reach(stored);
        if (reach && (row >= at.row + reach.rows || col >= at.col + reach.cols)) continue;
        // One that could, and is waiting on what reads here: a cycle, whichever is read first.
        if (this.onStack.has(key)) {
          if (attempt) attempt.cycleAt ??= { engine: this, key };
          continue;
        }
        frames.push({ engine: this, row: at.row, col: at.col, rowId, colId, key, stored });
      }
      if (attempt && frames.length > 0) {
        attempt.missing.push(...frames);
        return null;
      }
      for (const frame of frames) FormulaEngine.evaluateFrom(frame);
    }
    let found: CellValue = null;
    let first: CellRef | null = null;
    for (const [key, { values, blocked }] of this.spills) {
      if (blocked) continue;
      const at = this.sheet.positionOf(key);
      if (!at || row < at.row || col < at.col || row >= at.row + values.length || col >= at.col + values[0]!.length) continue;
      // Where two arrays would cover a cell, the one whose formula comes first in reading order shows.
      if (first && (first.row < at.row || (first.row === at.row && first.col < at.col))) continue;
      first = at;
      found = values[row - at.row]![col - at.col]!;
    }
    return found;
  }

  /**
   * Every value spilled into an empty cell of the tab (the formulas that may spill are evaluated
   * first), with where it is; where two arrays would cover a cell, the one that shows there.
   */
  *spilledCells(): Generator<{ row: number; col: number; value: CellValue }> {
    this.book.catchUp();
    for (const key of [...this.spillers()]) {
      const at = this.sheet.positionOf(key);
      if (at) this.valueAt(at.row, at.col);
    }
    for (const [key, { values, blocked }] of [...this.spills]) {
      const at = this.sheet.positionOf(key);
      if (blocked || !at) continue;
      for (let i = 0; i < values.length; i++) {
        for (let j = 0; j < values[i]!.length; j++) {
          if (i === 0 && j === 0) continue;
          const [row, col] = [at.row + i, at.col + j];
          // What shows there: this array's value, unless another's covers the cell first.
          if (this.sheet.storedInput(row, col) === "" && this.spilledAt(row, col, null) === values[i]![j]!) yield { row, col, value: values[i]![j]! };
        }
      }
    }
  }

  /**
   * Calls `listener` when values already read may have changed without any edit: a formula that
   * did not look like it would spill did, over cells read before as empty. Answers how to stop.
   */
  onSpillFound(listener: () => void): () => void {
    this.book.onSpillFound.add(listener);
    return () => this.book.onSpillFound.delete(listener);
  }

  /** The value of a cell: computed for a formula, the number or text of its input otherwise. */
  valueAt(row: number, col: number): CellValue {
    this.book.catchUp();
    const rowId = this.sheet.rows.idAt(row);
    const colId = this.sheet.cols.idAt(col);
    if (rowId === undefined || colId === undefined) return null;
    const cached = this.cache.get(rowId, colId);
    if (cached !== undefined) return cached;
    const key = cellKey(rowId, colId);
    const stored = this.sheet.inputOf(key);
    if (stored === "") return this.spilledAt(row, col, null);
    if (!isFormula(stored)) return valueOf(stored, this.sheet.dateOrder);
    FormulaEngine.evaluateFrom({ engine: this, row, col, rowId, colId, key, stored });
    return this.cache.get(rowId, colId)!;
  }

  /**
   * Evaluates a formula cell after every formula it reads, on any tab, depth first, without
   * recursion. A frame above a started one is something that one read (its missing ones are pushed
   * above it), so the started frames form a chain of formulas each waiting on the next: reading one
   * of them closes a cycle. Frames pushed but not started are not on the chain: a formula reading
   * one pushes it again, on top.
   */
  private static evaluateFrom(root: Frame): void {
    const stack: Frame[] = [root];
    try {
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const { engine } = top;
        if (engine.cache.get(top.rowId, top.colId) !== undefined) {
          stack.pop();
          if (top.started) engine.onStack.delete(top.key);
          continue;
        }
        if (!top.started) {
          top.started = true;
          engine.onStack.add(top.key);
        }
        const attempt: Attempt = (top.last = { frame: top, reads: [], foreign: new Map(), missing: [], cycleAt: null });
        const value = engine.evaluate(attempt);
        if (attempt.cycleAt !== null) {
          // A cycle: every formula on it shows the error (and is evaluated again when one is edited).
          const { engine: at, key } = attempt.cycleAt;
          let from = stack.length - 1;
          while (from > 0 && !(stack[from]!.started && stack[from]!.engine === at && stack[from]!.key === key)) from--;
          for (const f of stack.slice(from)) if (f.started) f.engine.settle(f, err(CIRCULAR));
          continue;
        }
        if (attempt.missing.length > 0) {
          // The first one read ends on top: a running total is evaluated from its first row up.
          for (let i = attempt.missing.length - 1; i >= 0; i--) stack.push(attempt.missing[i]!);
          continue;
        }
        engine.evaluations++;
        engine.settle(top, value);
        stack.pop();
        engine.onStack.delete(top.key);
      }
    } finally {
      // Left early (a formula the parser could not handle): nothing stays marked as under way.
      for (const frame of stack) if (frame.started) frame.engine.onStack.delete(frame.key);
    }
  }

  /**
   * Caches a formula's value with what its latest attempt read. An array spills from the
   * formula's cell unless it cannot (see blocked); either way the cells it would cover count as
   * read, so that typing into one of them (or clearing it) evaluates the formula again.
   */
  private settle(frame: Frame, value: CellValue | ArrayValue): void {
    const { reads, foreign } = frame.last!;
    if (this.sheet.rows.list() !== this.seen.rows || this.sheet.cols.list() !== this.seen.cols) this.settledMoved.add(frame.key);
    let shown = value as CellValue;
    this.spills.delete(frame.key);
    if (Array.isArray(value)) {
      const [height, width] = [value.length, value[0]!.length];
      reads.push(frame.row, frame.col, frame.row + height - 1, frame.col + width - 1);
      const blocked = this.blocked(frame, height, width);
      shown = blocked ? err(SPILL) : value[0]![0]!;
      this.spills.set(frame.key, { values: value, blocked });
      const spillers = this.spillers();
      if (!spillers.has(frame.key)) {
        // It spills though it did not look like it would: from now on it is one that may.
        spillers.add(frame.key);
        this.book.spilledLate(this, { start: { row: frame.row, col: frame.col }, end: { row: frame.row + height - 1, col: frame.col + width - 1 } });
      }
    }
    this.unsettled.delete(frame.key);
    this.cache.set(frame.rowId, frame.colId, shown);
    this.reads.set(frame.key, { rects: reads, stored: frame.stored });
    if (foreign.size > 0) this.foreign.set(frame.key, foreign);
  }

  /**
   * A random number in [0, 1) that everyone viewing the sheet draws alike: the nth RAND of a
   * formula is drawn from the Yjs id of the write that put the formula in its cell (the same on
   * every replica), so it changes when the formula is changed, not from one screen to the next.
   * Outside a formula (no cell to draw for), Math.random.
   */
  private draw(): number {
    const attempt = this.attempt;
    const item = attempt && (this.sheet.types.cells as unknown as { _map: Map<string, { id: { client: number; clock: number } }> })._map.get(attempt.frame.key);
    if (!attempt || !item) return Math.random();
    attempt.draws = (attempt.draws ?? 0) + 1;
    // FNV-1a of the write's id and the draw's number, then one step of mulberry32.
    let h = 0x811c9dc5;
    for (const ch of `${item.id.client}:${item.id.clock}:${attempt.draws}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    let t = (h + 0x6d2b79f5) >>> 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Whether an array of this size cannot spill from a formula's cell: too big, past the sheet's edge, or onto a cell that holds something. */
  private blocked({ row, col }: Frame, height: number, width: number): boolean {
    const { rows, cols, types } = this.sheet;
    if (height * width > MAX_SPILL_CELLS || row + height > rows.length || col + width > cols.length) return true;
    const [rowIds, colIds] = [rows.list(), cols.list()];
    for (let r = row; r < row + height; r++) {
      for (let c = col; c < col + width; c++) {
        if ((r !== row || c !== col) && types.cells.has(cellKey(rowIds[r]!, colIds[c]!))) return true;
      }
    }
    return false;
  }

  private evaluate(attempt: Attempt): CellValue | ArrayValue {
    const { row, col, stored } = attempt.frame;
    const outer = this.attempt;
    this.attempt = attempt;
    try {
      let formula = this.texts.get(stored);
      if (formula === undefined) {
        formula = formulaFromStored(stored, this.sheet.rows, this.sheet.cols, this.sheet.tabLookup).slice(1);
        if (this.texts.size >= MAX_TEXTS) this.texts.clear(); // edited formulas leave old texts behind
        this.texts.set(stored, formula);
      }
      // A reference to another tab by id (shown as #REF! while that tab is deleted) depends on the tabs.
      if (TAB_QUALIFIED.test(stored)) attempt.foreign.set("", []);
      // References without a tab name are this tab's: the parser names them by its id.
      const result = this.parser.parse(formula, { row: row + 1, col: col + 1, sheet: this.sheet.tab } as { row: number; col: number }, true);
      return fromParser(result);
    } catch (e) {
      if (e instanceof FormulaError && /not implemented/i.test(e.message)) return err("#NAME?");
      return err(e instanceof FormulaError ? e.error : "#ERROR!");
    } finally {
      this.attempt = outer;
    }
  }

  /**
   * A referenced cell's value, on this tab or another (`on`), while a formula is evaluated. A
   * formula without a value yet is noted as missing (or as a cycle when it is waiting on this one)
   * and reads as empty for now.
   */
  private read(on: FormulaEngine, row: number, col: number): CellValue {
    const rowId = on.sheet.rows.idAt(row);
    const colId = on.sheet.cols.idAt(col);
    if (rowId === undefined || colId === undefined) return null;
    const cached = on.cache.get(rowId, colId);
    if (cached !== undefined) return cached;
    const key = cellKey(rowId, colId);
    const stored = on.sheet.inputOf(key);
    // Not cached: an array may spill into it, or stop spilling, without anything here changing.
    if (stored === "") return on.spilledAt(row, col, this.attempt);
    if (!isFormula(stored)) {
      // Plain values are cached too: formulas read their precedents again and again.
      const value = valueOf(stored, on.sheet.dateOrder);
      on.cache.set(rowId, colId, value);
      return value;
    }
    const attempt = this.attempt;
    if (attempt) {
      if (on.onStack.has(key)) attempt.cycleAt ??= { engine: on, key };
      else attempt.missing.push({ engine: on, row, col, rowId, colId, key, stored });
    }
    return null;
  }

  private forParser(value: CellValue): unknown {
    return value !== null && typeof value === "object" ? new FormulaError(value.error) : value;
  }

  private rangeValues(ref: RangeRef): unknown[][] {
    const other = this.tabNamed((ref as RangeRef & { sheet?: string }).sheet);
    if (other === undefined) return [[new FormulaError("#REF!")]];
    if (other) return this.readOn(other, ref.from.row - 1, ref.from.col - 1, ref.to.row - 1, ref.to.col - 1);
    const r1 = Math.min(ref.to.row, this.sheet.rowCount);
    const c1 = Math.min(ref.to.col, this.sheet.colCount);
    this.attempt?.reads.push(ref.from.row - 1, ref.from.col - 1, ref.to.row - 1, ref.to.col - 1);
    const out: unknown[][] = [];
    for (let r = ref.from.row; r <= r1; r++) {
      const line: unknown[] = [];
      for (let c = ref.from.col; c <= c1; c++) line.push(this.forParser(this.read(this, r - 1, c - 1)));
      out.push(line);
    }
    return out.length > 0 ? out : [[null]];
  }
}

/**
 * The values of a tab's cells, by column id and then row id: a formula reading a range looks its
 * cells up with the ids the axes hold, building no key string per cell, and a column's cells share
 * one map (a sheet has many more rows than columns).
 */
class Values {
  private readonly cols = new Map<string, Map<string, CellValue>>();

  get(rowId: string, colId: string): CellValue | undefined {
    return this.cols.get(colId)?.get(rowId);
  }

  set(rowId: string, colId: string, value: CellValue): void {
    let col = this.cols.get(colId);
    if (!col) this.cols.set(colId, (col = new Map()));
    col.set(rowId, value);
  }

  /** Forgets a cell's value, by its key. */
  delete(key: string): void {
    const [rowId, colId] = splitCellKey(key);
    const col = this.cols.get(colId);
    if (col?.delete(rowId) && col.size === 0) this.cols.delete(colId);
  }

  clear(): void {
    this.cols.clear();
  }
}

/** What a workbook's transactions changed, for its engines (see FormulaEngine.invalidate). */
interface Changes {
  /** Tabs were renamed, added, deleted or reordered. */
  renamed: boolean;
  /** The cells set (their keys), by tab id. */
  cells: Map<string, Set<string | null>>;
  /** So many cells were set that every value is forgotten (see MAX_NOTED). */
  all: boolean;
  /**
   * Where formulas that did not look like they would spill turned out to (`=IFERROR(A1:A9,"")`):
   * what read those cells before read them empty, and is forgotten.
   */
  spilled: [FormulaEngine, Range][];
}

/** Past this many different cells of a tab set between two reads (an import), every value is forgotten instead. */
const MAX_NOTED = 100_000;

/**
 * The engines of one workbook, and what its transactions changed since a value was last read.
 * Values are forgotten when one is read next, not as each transaction ends: a transaction's end
 * does no formula work (a page sends its change first, and works it out once, drawing the next
 * frame), and several transactions between two reads cost one pass.
 */
class Book {
  readonly engines = new Set<FormulaEngine>();
  private changes: Changes | null = null;

  constructor(private readonly invalidate: (engines: ReadonlySet<FormulaEngine>, changes: Changes) => void) {}

  note(tr: Y.Transaction): void {
    const first = this.engines.values().next().value;
    if (!first) return;
    const changes = (this.changes ??= Book.noChanges());
    for (const engine of this.engines) {
      const sheet = engine.sheet;
      const keys = tr.changed.get(sheet.types.cells as unknown as Y.AbstractType<Y.YEvent<any>>);
      if (!keys || changes.all) continue;
      let into = changes.cells.get(sheet.tab);
      if (!into) changes.cells.set(sheet.tab, (into = new Set<string | null>()));
      for (const key of keys) into.add(key);
      if (into.size > MAX_NOTED) {
        changes.all = true;
        changes.cells.clear();
      }
    }
    // How typed dates read changes the value of every date typed with slashes.
    if (tr.changed.get(first.sheet.types.book as unknown as Y.AbstractType<Y.YEvent<any>>)?.has("dateOrder")) {
      changes.all = true;
      changes.cells.clear();
    }
    // A tab's colour changes nothing a reference reads; its name, order (names shown twice get a
    // number by order) or delete can.
    const tabKeys = tr.changed.get(first.sheet.types.tabs as unknown as Y.AbstractType<Y.YEvent<any>>);
    if (tabKeys !== undefined && [...tabKeys].some((key) => key === null || !key.endsWith(":color"))) changes.renamed = true;
  }

  static noChanges(): Changes {
    return { renamed: false, cells: new Map(), all: false, spilled: [] };
  }

  /** Called when a spill is found late: what shows values reads them again. */
  readonly onSpillFound = new Set<() => void>();

  /** Notes a spill found late (see Changes.spilled), for the next read, and says so once the evaluation is over. */
  spilledLate(engine: FormulaEngine, area: Range): void {
    (this.changes ??= Book.noChanges()).spilled.push([engine, area]);
    queueMicrotask(() => {
      for (const listener of this.onSpillFound) listener();
    });
  }

  /** Forgets what the changes noted since the last read made stale, before a value is read. */
  catchUp(): void {
    const changes = this.changes;
    if (!changes) return;
    this.changes = null;
    this.invalidate(this.engines, changes);
  }
}

/**
 * Moves one axis of a formula's read rectangles (rows, or columns at `offset` 1) from the ids
 * `before` to the ids `axis` has now, in place, if each still spans the same ids side by side;
 * false (leaving them part-moved) otherwise.
 */
function moveRects(rects: number[], before: readonly string[], axis: Axis, offset = 0): boolean {
  const now = axis.list();
  if (before === now) return true;
  for (let i = offset; i < rects.length; i += 4) {
    const from = rects[i]!;
    const to = rects[i + 2]!;
    if (to >= before.length) return false;
    const at = axis.indexOf(before[from]!);
    if (at < 0) return false;
    for (let k = from + 1; k <= to; k++) if (now[at + k - from] !== before[k]) return false;
    rects[i] = at;
    rects[i + 2] = at + to - from;
  }
  return true;
}

/** True when one of a formula's read rectangles (see Attempt.reads) holds a position. */
function readsRange(reads: number[], { start, end }: Range): boolean {
  for (let i = 0; i < reads.length; i += 4) {
    if (end.row >= reads[i]! && end.col >= reads[i + 1]! && start.row <= reads[i + 2]! && start.col <= reads[i + 3]!) return true;
  }
  return false;
}

/** A result as a cell value, or rows of them for an array of more than one cell (a short row is padded with #N/A, as in Excel). */
function fromParser(value: unknown): CellValue | ArrayValue {
  if (!Array.isArray(value)) return valueFromParser(value);
  const rows = value as unknown[][];
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  if (rows.length === 0 || width === 0) return err("#CALC!");
  if (rows.length === 1 && width === 1) return valueFromParser(rows[0]![0]);
  return rows.map((r) => Array.from({ length: width }, (_, j) => (j < r.length ? valueFromParser(r[j]) : err("#N/A"))));
}

function valueFromParser(value: unknown): CellValue {
  if (value instanceof FormulaError) return err(value.error);
  if (Array.isArray(value)) return valueFromParser(value[0]?.[0] ?? null);
  // Results keep 15 significant digits, as spreadsheets do: 0.8*12 is 9.6, not 9.600000000000001.
  if (typeof value === "number") return Number.isFinite(value) ? Number(value.toPrecision(15)) : err("#NUM!");
  if (typeof value === "string" || typeof value === "boolean") return value;
  return value == null ? 0 : err("#VALUE!");
}

/** A call's arguments, with calls in them two deep: `(A1, MAX(B1, C1))`. */
const CALL = String.raw`\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)`;
/** Plus or minus a number after it, or nothing: `=TODAY()+7` is a date, `=TODAY()-A1` days. */
const DAYS_LATER = String.raw`\s*(?:[-+]\s*[0-9.]+\s*)?$`;
/** `=TODAY()`, `=DATE(…)`, `=EDATE(…)+30`: formulas whose result is a date. */
const DATE_RESULT = new RegExp(String.raw`^=\s*(?:TODAY|DATE|EDATE|EOMONTH|DATEVALUE|WORKDAY(?:\.INTL)?)${CALL}${DAYS_LATER}`, "i");
const DATETIME_RESULT = new RegExp(String.raw`^=\s*NOW${CALL}${DAYS_LATER}`, "i");
/** A reference as stored (`⟨colId.rowId⟩`, this tab): ids in groups 1 and 2. */
const STORED_CELL = String.raw`\u27e8\$?([A-Za-z0-9_-]+)\.\$?([A-Za-z0-9_-]+)\u27e9`;
/** `=A1+7`, `=B2 - C2`: arithmetic counting from a cell; the rest in group 4. */
const FROM_CELL = new RegExp(String.raw`^=\s*${STORED_CELL}\s*([-+])(.*)$`, "s");
const ONE_CELL = new RegExp(String.raw`^\s*${STORED_CELL}\s*$`);

/**
 * The number format a formula's result takes when its cell has none, as in Excel: a date for
 * TODAY, DATE, EDATE…, a date and time for NOW, and the date (or date and time) of the cell
 * `=A1+7` counts from; a date less a date is a number of days. Undefined for anything else.
 */
function resultFormat(sheet: Sheet, stored: string, depth = 0): string | undefined {
  if (DATE_RESULT.test(stored)) return DATE_CODE;
  if (DATETIME_RESULT.test(stored)) return DATETIME_CODE;
  const m = depth < 4 ? FROM_CELL.exec(stored) : null;
  if (!m) return undefined;
  const from = cellFormat(sheet, m[2]!, m[1]!, depth);
  if (from !== DATE_CODE && from !== DATETIME_CODE) return undefined;
  const other = m[3] === "-" ? ONE_CELL.exec(m[4]!) : null;
  return other && cellFormat(sheet, other[2]!, other[1]!, depth) !== undefined ? undefined : from;
}

/** The format a cell shows with, by its ids (see shownFormat). */
function cellFormat(sheet: Sheet, rowId: string, colId: string, depth: number): string | undefined {
  const own = sheet.types.styles.get(styleKey(rowId, colId, "numFmt"));
  if (isStyleValue("numFmt", own)) return own as string;
  const input = sheet.inputOf(cellKey(rowId, colId));
  return isFormula(input) ? resultFormat(sheet, input, depth + 1) : impliedFormat(input);
}

/**
 * The number format a cell shows with: its own, or for a formula without one the format its
 * result implies (see resultFormat). Typed numbers without a format show as typed.
 */
export function shownFormat(sheet: Sheet, row: number, col: number): string | undefined {
  const ids = sheet.idsAt(row, col);
  if (!ids) return undefined;
  const stored = sheet.inputOf(cellKey(ids.rowId, ids.colId));
  return isFormula(stored) ? cellFormat(sheet, ids.rowId, ids.colId, 0) : sheet.styleAt(row, col).numFmt;
}

/**
 * What a cell shows: a number in its number format, a formula's value (or an array's, spilled into
 * an empty cell), or otherwise exactly what was typed.
 */
export function cellText(input: string, value: CellValue, numFmt: string | undefined): string {
  // An empty cell shows what an array spilled into it, if anything.
  return formatNumber(value, numFmt) ?? (isFormula(input) || input === "" ? displayValue(value) : input);
}

/** The cells of a range as they show (see {@link cellText}), row by row, as `Sheet.readRange` reads inputs. */
export function shownRange(sheet: Sheet, range: Range): string[][] {
  const engine = FormulaEngine.of(sheet);
  return sheet.readRange(range).map((line, i) =>
    line.map((input, j) => {
      const row = range.start.row + i;
      const col = range.start.col + j;
      return cellText(input, engine.valueAt(row, col), shownFormat(sheet, row, col));
    }),
  );
}

/** A value as a cell shows it: numbers without float noise, TRUE/FALSE, errors by their code. */
export function displayValue(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "number") return String(Number(value.toPrecision(15)));
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "object") return value.error;
  return value;
}
