/// <reference path="./fast-formula-parser.d.ts" />
import * as formulajs from "@formulajs/formulajs";
import FormulaParser, { type Arg, type CellRef as ParserRef, type RangeRef } from "fast-formula-parser";
import type * as Y from "yjs";
import { rangeContains, type CellRef, type Range } from "./a1.js";
import { isFormula } from "./refs.js";
import { cellKey } from "./schema.js";
import type { Sheet } from "./sheet.js";
import { valueOf, type CellError, type CellValue } from "./value.js";

const { DepParser, FormulaError } = FormulaParser;

/** The error a cell shows when its formula depends on itself. */
export const CIRCULAR = "#CIRCULAR!";

interface Frame {
  row: number;
  col: number;
  key: string;
  formula: string;
  deps: Frame[] | null;
}

const engines = new WeakMap<Sheet, FormulaEngine>();

/**
 * Above this many cells a range's formula cells are found by walking the cells that have content
 * instead of every position. (Not `cells.size`: Yjs computes a map's size by walking it.)
 */
const LARGE_RANGE = 10_000;

/**
 * Tracing dependents costs (changed cells × formulas read) range checks; past this, an edit
 * forgets every value instead, which gives the same values for less work.
 */
const INVALIDATION_BUDGET = 1_000_000;

const err = (error: string): CellError => ({ error });

/** Functions whose fast-formula-parser version differs from Excel (TRIM keeps inner runs of spaces). */
const PREFER_FORMULAJS = new Set(["TRIM"]);

let gapFunctions: Record<string, (...args: Arg[]) => unknown> | null = null;

/**
 * The functions fast-formula-parser lacks (UPPER, SUBSTITUTE, MAX, MIN, MEDIAN, MATCH, COUNTA…),
 * taken from formulajs: arguments are unwrapped, an error among them is passed on as Excel does,
 * and formulajs's Error results become spreadsheet errors.
 */
function gaps(): Record<string, (...args: Arg[]) => unknown> {
  if (gapFunctions) return gapFunctions;
  const builtIn = new Set(new FormulaParser({ onCell: () => null, onRange: () => [[null]] }).supportedFunctions());
  gapFunctions = {};
  for (const [name, fn] of Object.entries(formulajs)) {
    if (typeof fn !== "function" || !/^[A-Z][A-Z0-9.]*$/.test(name)) continue;
    if (builtIn.has(name) && !PREFER_FORMULAJS.has(name)) continue;
    gapFunctions[name] = (...args: Arg[]) => {
      const values = args.map((a) => a?.value);
      const failed = values.find((v) => v instanceof FormulaError);
      if (failed) return failed;
      const result = (fn as (...xs: unknown[]) => unknown)(...values);
      return result instanceof Error ? new FormulaError(/^#/.test(result.message) ? result.message : "#VALUE!") : result;
    };
  }
  return gapFunctions;
}

/**
 * Computes cell values with fast-formula-parser. A formula's references are evaluated first, with
 * an explicit stack (no recursion, so long chains cannot overflow and cycles are found and shown
 * as {@link CIRCULAR}), then the formula itself, reading finished values only. Values are computed
 * on demand and cached by cell; an edit forgets only the values that depend on it.
 */
export class FormulaEngine {
  private readonly cache = new Map<string, CellValue>();
  /** The rectangles each evaluated formula reads (positions as of its evaluation). */
  private readonly reads = new Map<string, Range[]>();
  private readonly parser: FormulaParser;
  private readonly deps = new DepParser();
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

  private constructor(private readonly sheet: Sheet) {
    this.parser = new FormulaParser({
      onCell: (ref) => this.forParser(this.ready(ref.row - 1, ref.col - 1)),
      onRange: (ref) => this.rangeValues(ref),
      functions: gaps(),
    });
    sheet.doc.on("afterTransaction", (tr: Y.Transaction) => this.invalidate(tr));
  }

  /**
   * Forgets the values a transaction may have changed: after a cell edit, that cell's and those of
   * the formulas reading it, transitively; after rows or columns moved, everything (positions in
   * the recorded reads are stale then).
   */
  private invalidate(tr: Y.Transaction): void {
    if (this.cache.size === 0) return;
    if (this.sheet.changesStructure(tr)) {
      this.cache.clear();
      this.reads.clear();
      return;
    }
    const changed = tr.changed.get(this.sheet.types.cells as unknown as Y.AbstractType<Y.YEvent<any>>);
    if (!changed) return;
    if (changed.size * this.reads.size > INVALIDATION_BUDGET) {
      // A big paste or import: recomputing on demand costs less than tracing every dependent.
      this.cache.clear();
      this.reads.clear();
      return;
    }
    const queue: CellRef[] = [];
    for (const key of changed) {
      if (key === null) continue;
      this.forget(key);
      const pos = this.sheet.positionOf(key);
      if (pos) queue.push(pos);
    }
    while (queue.length > 0) {
      const pos = queue.pop()!;
      for (const [key, ranges] of this.reads) {
        if (!ranges.some((r) => rangeContains(r, pos.row, pos.col))) continue;
        this.forget(key);
        const dependent = this.sheet.positionOf(key);
        if (dependent) queue.push(dependent);
      }
    }
  }

  private forget(key: string): void {
    this.cache.delete(key);
    this.reads.delete(key);
  }

  /** The value of a cell: computed for a formula, the number or text of its input otherwise. */
  valueAt(row: number, col: number): CellValue {
    const input = this.sheet.getInput(row, col);
    if (!isFormula(input)) return valueOf(input);
    const key = this.keyAt(row, col)!;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    this.evaluateFrom({ row, col, key, formula: input.slice(1), deps: null });
    return this.cache.get(key)!;
  }

  private keyAt(row: number, col: number): string | null {
    const ids = this.sheet.idsAt(row, col);
    return ids && cellKey(ids.rowId, ids.colId);
  }

  /** Evaluates a formula cell after every formula it depends on, depth first, without recursion. */
  private evaluateFrom(root: Frame): void {
    const stack: Frame[] = [root];
    const onStack = new Set([root.key]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (this.cache.has(top.key)) {
        stack.pop();
        onStack.delete(top.key);
        continue;
      }
      top.deps ??= this.formulaDependencies(top);
      const next = top.deps.find((d) => !this.cache.has(d.key));
      if (next && onStack.has(next.key)) {
        // A cycle: every cell on it shows the error.
        const from = stack.findIndex((f) => f.key === next.key);
        for (const f of stack.slice(from)) this.cache.set(f.key, err(CIRCULAR));
        continue;
      }
      if (next) {
        stack.push(next);
        onStack.add(next.key);
        continue;
      }
      this.cache.set(top.key, this.evaluate(top));
      stack.pop();
      onStack.delete(top.key);
    }
  }

  /** The formula cells a formula reads (plain cells need no evaluation). */
  private formulaDependencies(frame: Frame): Frame[] {
    let refs: (ParserRef | RangeRef)[];
    try {
      refs = this.deps.parse(frame.formula, { row: frame.row + 1, col: frame.col + 1 }, true);
    } catch {
      return [];
    }
    const out: Frame[] = [];
    const seen = new Set<string>();
    const ranges: Range[] = [];
    const add = (row: number, col: number) => {
      const input = this.sheet.getInput(row, col);
      if (!isFormula(input)) return;
      const key = this.keyAt(row, col)!;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ row, col, key, formula: input.slice(1), deps: null });
    };
    for (const ref of refs) {
      const [from, to] = "from" in ref ? [ref.from, ref.to] : [ref, ref];
      const r0 = from.row - 1;
      const c0 = from.col - 1;
      const r1 = Math.min(to.row - 1, this.sheet.rowCount - 1);
      const c1 = Math.min(to.col - 1, this.sheet.colCount - 1);
      ranges.push({ start: { row: r0, col: c0 }, end: { row: to.row - 1, col: to.col - 1 } });
      if ((r1 - r0 + 1) * (c1 - c0 + 1) > LARGE_RANGE) {
        // A large range: look only at the cells that have content.
        for (const key of this.sheet.types.cells.keys()) {
          const pos = this.sheet.positionOf(key);
          if (pos && pos.row >= r0 && pos.row <= r1 && pos.col >= c0 && pos.col <= c1) add(pos.row, pos.col);
        }
      } else {
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) add(r, c);
      }
    }
    this.reads.set(frame.key, ranges);
    return out;
  }

  private evaluate(frame: Frame): CellValue {
    this.evaluations++;
    let result: unknown;
    try {
      result = this.parser.parse(frame.formula, { row: frame.row + 1, col: frame.col + 1 });
    } catch (e) {
      if (e instanceof FormulaError && /not implemented/i.test(e.message)) return err("#NAME?");
      return err(e instanceof FormulaError ? e.error : "#ERROR!");
    }
    return fromParser(result);
  }

  /** A referenced cell's value; formula cells were evaluated before (see evaluateFrom). */
  private ready(row: number, col: number): CellValue {
    if (row < 0 || col < 0 || row >= this.sheet.rowCount || col >= this.sheet.colCount) return null;
    const input = this.sheet.getInput(row, col);
    if (!isFormula(input)) return valueOf(input);
    return this.cache.get(this.keyAt(row, col)!) ?? err(CIRCULAR);
  }

  private forParser(value: CellValue): unknown {
    return value !== null && typeof value === "object" ? new FormulaError(value.error) : value;
  }

  private rangeValues(ref: RangeRef): unknown[][] {
    const r1 = Math.min(ref.to.row, this.sheet.rowCount);
    const c1 = Math.min(ref.to.col, this.sheet.colCount);
    const out: unknown[][] = [];
    for (let r = ref.from.row; r <= r1; r++) {
      const line: unknown[] = [];
      for (let c = ref.from.col; c <= c1; c++) line.push(this.forParser(this.ready(r - 1, c - 1)));
      out.push(line);
    }
    return out.length > 0 ? out : [[null]];
  }
}

function fromParser(value: unknown): CellValue {
  if (value instanceof FormulaError) return err(value.error);
  if (Array.isArray(value)) return fromParser(value[0]?.[0] ?? null);
  if (typeof value === "number") return Number.isFinite(value) ? value : err("#NUM!");
  if (typeof value === "string" || typeof value === "boolean") return value;
  return value == null ? 0 : err("#VALUE!");
}

/** A value as a cell shows it: numbers without float noise, TRUE/FALSE, errors by their code. */
export function displayValue(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "number") return String(Number(value.toPrecision(15)));
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "object") return value.error;
  return value;
}
