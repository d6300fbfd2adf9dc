import { colToLetters, lettersToCol, MAX_COLS, MAX_ROWS, type Range } from "./a1.js";
import type { Axis } from "./axis.js";

/**
 * Formulas are stored with their cell references as row and column ids and shown as A1, so a
 * reference keeps pointing at the same cell when anyone, even concurrently, inserts or deletes
 * rows or columns. In the stored text a reference is `⟨[$]colId.[$]rowId⟩` (`$` marks an absolute
 * part); a reference to a deleted row or column shows as `#REF!`. Whole columns (`A:C`) and whole
 * rows (`2:5`) are stored the same way, with `*` for the part they do not name: `⟨colId.*⟩`,
 * `⟨*.rowId⟩`. Text inside string literals is never touched. References beyond the sheet's
 * current size stay as A1 text.
 */
const OPEN = "\u27e8";
const CLOSE = "\u27e9";
const STORED_ALL = /\u27e8(?:([A-Za-z0-9_-]+)!)?(\$?)([A-Za-z0-9_-]+|\*)\.(\$?)([A-Za-z0-9_-]+|\*)\u27e9/g;
/**
 * A reference to another tab in A1 text: `Data!B2`, `'Q1 plan'!A1:A9`, `Data!A:C`, `Data!2:5`
 * (a quoted name doubles its `'`).
 */
const TAB_REF =
  /(?<![\w.$'\u27e9])(?:'((?:[^']|'')+)'|([A-Za-z_][\w.]*))!(\$?[A-Za-z]{1,3}\$?[0-9]{1,7}(?::\$?[A-Za-z]{1,3}\$?[0-9]{1,7})?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?[0-9]{1,7}:\$?[0-9]{1,7})(?![\w(!])/g;
/** A name that must be quoted in a reference: anything but a plain word, and words that read as a cell or a value. */
const PLAIN_TAB_NAME = /^[A-Za-z_][\w.]*$/;
const CELL_LIKE = /^(?:[A-Za-z]{1,3}[0-9]+|R[0-9]*C[0-9]*|TRUE|FALSE)$/i;
/** Markers while formulas are rewritten (never in a formula: control characters). */
const HELD = /\u0001([0-9]+)\u0001/g;
const QUALIFIED = /\u0002([^\u0003]*)\u0003([^\u0002:]*?):\u0002\1\u0003/g;

/** A tab, as formulas that refer to it need it. */
export interface TabAxes {
  id: string;
  /** Its name as shown. */
  name: string;
  rows: Axis;
  cols: Axis;
}

/** The tabs of the workbook a formula is in: by name as shown (any case) and by id. */
export interface TabLookup {
  named(name: string): TabAxes | undefined;
  byId(id: string): TabAxes | undefined;
}

/** A tab's name as a reference writes it: `Data!`, `'Q1 plan'!`. */
export function tabPrefix(name: string): string {
  return PLAIN_TAB_NAME.test(name) && !CELL_LIKE.test(name) ? `${name}!` : `'${name.replace(/'/g, "''")}'!`;
}
/** A range with a deleted end, which as a whole is `#REF!`. */
const BROKEN_RANGE = /#REF!:(?:#REF!|\$?[A-Za-z]{0,3}\$?[0-9]*)|\$?[A-Za-z]{0,3}\$?[0-9]*:#REF!/g;
/** `A:C`, `$B:$B`: whole columns. */
const COLUMNS = /(?<![\w.$\u27e9])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![\w.(])/g;
/** `2:5`, `$3:$3`: whole rows. */
const ROWS = /(?<![\w.$:\u27e9])(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})(?![\w.(:])/g;
const A1_REF = /(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})/y;
/** What every A1 reference has: a letter, perhaps a `$`, and a digit. */
const MAYBE_A1 = /[A-Za-z]\$?[0-9]/;
const WORD = /[A-Za-z0-9_.]/;

export function isFormula(input: string): boolean {
  return input.length > 1 && input[0] === "=";
}

/**
 * Calls `fn` for each stretch of a formula outside string literals (`"…"`, with `""` escapes),
 * with the stretch's offset in the formula.
 */
function mapOutsideStrings(formula: string, fn: (code: string, offset: number) => string): string {
  let out = "";
  let i = 0;
  while (i < formula.length) {
    const q = formula.indexOf('"', i);
    if (q < 0) return out + fn(formula.slice(i), i);
    out += fn(formula.slice(i, q), i);
    let end = q + 1;
    for (;;) {
      const next = formula.indexOf('"', end);
      if (next < 0) return out + formula.slice(q);
      if (formula[next + 1] === '"') end = next + 2;
      else {
        end = next + 1;
        break;
      }
    }
    out += formula.slice(q, end);
    i = end;
  }
  return out;
}

/** One A1 cell reference in a formula: `$` marks absolute parts; row and col are zero-based. */
export interface A1Ref {
  row: number;
  col: number;
  absRow: boolean;
  absCol: boolean;
}

/**
 * Rewrites every A1 cell reference of a formula outside string literals (function names such as
 * LOG10 and parts of longer words are not references). `fn` returns the replacement text, or null
 * to keep the reference as it is; it also gets the reference's offset and length in the formula.
 */
function mapA1Refs(formula: string, fn: (ref: A1Ref, at: number, length: number) => string | null): string {
  return mapOutsideStrings(formula, (code, offset) => {
    let out = "";
    let i = 0;
    while (i < code.length) {
      A1_REF.lastIndex = i;
      const m = WORD.test(code[i - 1] ?? "") ? null : A1_REF.exec(code);
      const after = m ? code[i + m[0].length] ?? "" : "";
      if (m && !WORD.test(after) && after !== "(") {
        const col = lettersToColOrNull(m[2]!);
        const row = Number(m[4]) - 1;
        const ref = col === null || row < 0 || row >= MAX_ROWS ? null : { row, col, absCol: m[1] === "$", absRow: m[3] === "$" };
        const replaced = ref && fn(ref, offset + i, m[0].length);
        // A reference kept as it is is skipped whole: `$E$6` must not be read again as `E$6`.
        out += replaced ?? m[0];
        i += m[0].length;
        continue;
      }
      out += code[i];
      i++;
    }
    return out;
  });
}

/** A cell or range reference in a formula's text, with where it is written. */
export interface FormulaReference {
  range: Range;
  /** Offset and length of its text in the formula (`A1:B3` is one reference). */
  at: number;
  length: number;
}

/** The cell and range references of a formula, in order (for highlighting while editing). */
export function formulaReferences(formula: string): FormulaReference[] {
  const refs: FormulaReference[] = [];
  if (!isFormula(formula)) return refs;
  mapA1Refs(formula, ({ row, col }, at, length) => {
    const last = refs[refs.length - 1];
    // A single cell (start and end are one object) right before `:` and this one: `A1:B3`.
    const single = last !== undefined && last.range.start === last.range.end;
    if (single && last.at + last.length + 1 === at && formula[at - 1] === ":") {
      const a = last.range.start;
      last.range = { start: { row: Math.min(a.row, row), col: Math.min(a.col, col) }, end: { row: Math.max(a.row, row), col: Math.max(a.col, col) } };
      last.length = at + length - last.at;
    } else {
      const cell = { row, col };
      refs.push({ range: { start: cell, end: cell }, at, length });
    }
    return null;
  });
  return refs;
}

/**
 * The row and column ids a stored formula's references name, on any tab; null when it also has a
 * reference kept as A1 text (one beyond the sheet when it was typed), which names a place, not a
 * cell.
 */
export function namedIds(stored: string): string[] | null {
  const ids: string[] = [];
  const rest = stored.replace(STORED_ALL, (_, _tab: string, _absCol: string, colId: string, _absRow: string, rowId: string) => {
    if (colId !== "*") ids.push(colId);
    if (rowId !== "*") ids.push(rowId);
    return "0";
  });
  // Most formulas have no letter before a digit at all: no reference, without reading them through.
  return MAYBE_A1.test(rest) && formulaReferences(rest).length > 0 ? null : ids;
}

/** Two stored references joined by `:`, a range: groups 1-5 are its first end, 6-10 its second. */
const STORED_RANGE = new RegExp(`${STORED_ALL.source}:${STORED_ALL.source}`, "g");

/**
 * A stored formula whose ranges spanning several rows keep the places of those rows after rows
 * moved (a sort): `moved` maps a row id that moved to the id now at its old place. References to
 * one cell, and ranges within one row, are kept: they follow their cells. `onTab` says whether a
 * reference's tab (none: the formula's own) is the one whose rows moved.
 */
export function keepRangePlaces(stored: string, onTab: (tabId: string | undefined) => boolean, moved: ReadonlyMap<string, string>): string {
  if (!stored.includes(OPEN) || !stored.includes(":")) return stored;
  const end = (tab: string | undefined, absCol: string, colId: string, absRow: string, rowId: string) =>
    `${OPEN}${tab === undefined ? "" : `${tab}!`}${absCol}${colId}.${absRow}${moved.get(rowId) ?? rowId}${CLOSE}`;
  return mapOutsideStrings(stored, (code) =>
    code.replace(STORED_RANGE, (whole, ...m: (string | undefined)[]) => {
      const [t1, ac1, c1, ar1, r1, t2, ac2, c2, ar2, r2] = m as [string | undefined, string, string, string, string, string | undefined, string, string, string, string];
      if (r1 === r2 || !onTab(t1)) return whole;
      return `${end(t1, ac1, c1, ar1, r1)}:${end(t2, ac2, c2, ar2, r2)}`;
    }),
  );
}

/** A stored reference's row and column, as the key of a moved cell: `colId.rowId`. */
export type CellPlace = string;

const RANGE_OR_CELL = new RegExp(`${STORED_RANGE.source}|${STORED_ALL.source}`, "g");

/**
 * A stored formula with its references to cells that moved (cut and pasted) pointing where they
 * went: each one-cell reference to a moved cell, and each range whose both ends moved (a range
 * only partly moved keeps its places, as in Excel). `onTab` says whether a reference's tab (none:
 * the formula's own) is the one the cells moved on; whole rows and columns never move.
 */
export function movedReferences(stored: string, onTab: (tabId: string | undefined) => boolean, moved: ReadonlyMap<CellPlace, { colId: string; rowId: string }>): string {
  if (!stored.includes(OPEN)) return stored;
  const to = (tab: string | undefined, absCol: string, colId: string, absRow: string, rowId: string) => {
    const dest = moved.get(`${colId}.${rowId}`)!;
    return `${OPEN}${tab === undefined ? "" : `${tab}!`}${absCol}${dest.colId}.${absRow}${dest.rowId}${CLOSE}`;
  };
  const movedHere = (tab: string | undefined, colId: string, rowId: string) => onTab(tab) && moved.has(`${colId}.${rowId}`);
  return mapOutsideStrings(stored, (code) =>
    code.replace(RANGE_OR_CELL, (whole, ...m: (string | undefined)[]) => {
      const [t1, ac1, c1, ar1, r1, t2, ac2, c2, ar2, r2, t, ac, c, ar, r] = m as string[];
      if (c1 !== undefined) {
        if (!movedHere(t1, c1, r1!) || !movedHere(t2, c2!, r2!)) return whole;
        return `${to(t1, ac1!, c1, ar1!, r1!)}:${to(t2, ac2!, c2!, ar2!, r2!)}`;
      }
      return movedHere(t, c!, r!) ? to(t, ac!, c!, ar!, r!) : whole;
    }),
  );
}

/**
 * `=SUM(A1:B$2)` as stored, with its references as ids. A reference to another tab by its name
 * (`Data!B2`) is stored by that tab's id as well, so renaming the tab rewrites nothing; one to a
 * name no tab has is kept as text (and reads as `#REF!` until a tab has that name).
 */
export function formulaToStored(formula: string, rows: Axis, cols: Axis, tabs?: TabLookup): string {
  if (!isFormula(formula)) return formula;
  if (!tabs) return sameTabToStored(formula, rows, cols);
  // Other tabs' references first, held aside while this tab's are rewritten.
  const held: string[] = [];
  const hold = (text: string) => `\u0001${held.push(text) - 1}\u0001`;
  const text = mapOutsideStrings(formula, (code) =>
    code.replace(TAB_REF, (whole, quoted: string | undefined, plain: string | undefined, ref: string) => {
      const tab = tabs.named(quoted !== undefined ? quoted.replace(/''/g, "'") : plain!);
      if (!tab) return hold(whole);
      const stored = sameTabToStored(`=${ref}`, tab.rows, tab.cols).slice(1);
      return hold(stored.includes(OPEN) ? stored.replaceAll(OPEN, `${OPEN}${tab.id}!`) : whole);
    }),
  );
  return sameTabToStored(text, rows, cols).replace(HELD, (_, i: string) => held[Number(i)]!);
}

function sameTabToStored(formula: string, rows: Axis, cols: Axis): string {
  const cells = mapA1Refs(formula, ({ row, col, absRow, absCol }) => {
    const rowId = rows.idAt(row);
    const colId = cols.idAt(col);
    if (rowId === undefined || colId === undefined) return null;
    return `${OPEN}${absCol ? "$" : ""}${colId}.${absRow ? "$" : ""}${rowId}${CLOSE}`;
  });
  return mapWholeRanges(
    cells,
    (abs, col) => {
      const id = col < MAX_COLS ? cols.idAt(col) : undefined;
      return id === undefined ? null : `${OPEN}${abs}${id}.*${CLOSE}`;
    },
    (abs, row) => {
      const id = row < MAX_ROWS ? rows.idAt(row) : undefined;
      return id === undefined ? null : `${OPEN}*.${abs}${id}${CLOSE}`;
    },
  );
}

/**
 * Rewrites both ends of every whole-column (`A:C`) and whole-row (`2:5`) range outside string
 * literals; a range is kept as it is when either end gives null.
 */
function mapWholeRanges(
  formula: string,
  column: (abs: string, col: number) => string | null,
  row: (abs: string, row: number) => string | null,
): string {
  return mapOutsideStrings(formula, (code) =>
    code
      .replace(COLUMNS, (whole, a1: string, c1: string, a2: string, c2: string) => {
        const [from, to] = [lettersToColOrNull(c1), lettersToColOrNull(c2)];
        const [x, y] = from === null || to === null ? [null, null] : [column(a1, from), column(a2, to)];
        return x === null || y === null ? whole : `${x}:${y}`;
      })
      .replace(ROWS, (whole, a1: string, r1: string, a2: string, r2: string) => {
        const [from, to] = [Number(r1) - 1, Number(r2) - 1];
        const [x, y] = from < 0 || to < 0 ? [null, null] : [row(a1, from), row(a2, to)];
        return x === null || y === null ? whole : `${x}:${y}`;
      }),
  );
}

/**
 * A formula as it reads when copied `rows` down and `cols` right (negative: up, left): relative
 * references move, absolute parts stay, and a reference moved off the sheet becomes `#REF!`.
 */
export function shiftFormula(formula: string, rows: number, cols: number): string {
  if (!isFormula(formula) || (rows === 0 && cols === 0)) return formula;
  const cells = mapA1Refs(formula, (ref) => {
    const row = ref.absRow ? ref.row : ref.row + rows;
    const col = ref.absCol ? ref.col : ref.col + cols;
    if (row < 0 || col < 0 || row >= MAX_ROWS || col >= MAX_COLS) return "#REF!";
    return `${ref.absCol ? "$" : ""}${colToLetters(col)}${ref.absRow ? "$" : ""}${row + 1}`;
  });
  return mapWholeRanges(
    cells,
    (abs, col) => {
      const to = abs ? col : col + cols;
      return to < 0 || to >= MAX_COLS ? "#REF!" : `${abs}${colToLetters(to)}`;
    },
    (abs, row) => {
      const to = abs ? row : row + rows;
      return to < 0 || to >= MAX_ROWS ? "#REF!" : `${abs}${to + 1}`;
    },
  );
}

function lettersToColOrNull(letters: string): number | null {
  try {
    const col = lettersToCol(letters);
    return col < MAX_COLS ? col : null;
  } catch {
    return null;
  }
}

/**
 * A stored formula as its A1 text for the current layout (`#REF!` for deleted cells), references
 * to other tabs with their names as shown now (`#REF!` for a deleted tab).
 */
export function formulaFromStored(stored: string, rows: Axis, cols: Axis, tabs?: TabLookup): string {
  if (!isFormula(stored) || !stored.includes(OPEN)) return stored;
  return mapOutsideStrings(stored, (code) =>
    code.includes(OPEN)
      ? code
          .replace(STORED_ALL, (_, tabId: string | undefined, absCol: string, colId: string, absRow: string, rowId: string) => {
            const tab = tabId === undefined ? undefined : tabs?.byId(tabId);
            if (tabId !== undefined && !tab) return "#REF!";
            const [r, c] = tab ? [tab.rows, tab.cols] : [rows, cols];
            const col = colId === "*" ? 0 : c.indexOf(colId);
            const row = rowId === "*" ? 0 : r.indexOf(rowId);
            if (row < 0 || col < 0) return "#REF!";
            const colText = colId === "*" ? "" : `${absCol}${colToLetters(col)}`;
            const rowText = rowId === "*" ? "" : `${absRow}${row + 1}`;
            // Marked, so that a range's second end drops the name its first end has.
            return tab ? `\u0002${tabPrefix(tab.name)}\u0003${colText}${rowText}` : colText + rowText;
          })
          .replace(QUALIFIED, "$1$2:")
          .replace(/\u0002([^\u0003]*)\u0003/g, "$1")
          .replace(BROKEN_RANGE, "#REF!")
      : code,
  );
}
