import { colToLetters, lettersToCol, MAX_COLS, MAX_ROWS } from "./a1.js";
import type { Axis } from "./axis.js";

/**
 * Formulas are stored with their cell references as row and column ids and shown as A1, so a
 * reference keeps pointing at the same cell when anyone, even concurrently, inserts or deletes
 * rows or columns. In the stored text a reference is `⟨[$]colId.[$]rowId⟩` (`$` marks an absolute
 * part); a reference to a deleted row or column shows as `#REF!`. Text inside string literals is
 * never touched. References beyond the sheet's current size stay as A1 text.
 */
const OPEN = "\u27e8";
const CLOSE = "\u27e9";
const STORED = /\u27e8(\$?)([A-Za-z0-9_-]+)\.(\$?)([A-Za-z0-9_-]+)\u27e9/y;
const A1_REF = /(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})/y;
const WORD = /[A-Za-z0-9_.]/;

export function isFormula(input: string): boolean {
  return input.length > 1 && input[0] === "=";
}

/** Calls `fn` for each stretch of a formula outside string literals (`"…"`, with `""` escapes). */
function mapOutsideStrings(formula: string, fn: (code: string) => string): string {
  let out = "";
  let i = 0;
  while (i < formula.length) {
    const q = formula.indexOf('"', i);
    if (q < 0) return out + fn(formula.slice(i));
    out += fn(formula.slice(i, q));
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

/** `=SUM(A1:B$2)` as stored, with its references as ids. */
export function formulaToStored(formula: string, rows: Axis, cols: Axis): string {
  if (!isFormula(formula)) return formula;
  return mapOutsideStrings(formula, (code) => {
    let out = "";
    let i = 0;
    while (i < code.length) {
      A1_REF.lastIndex = i;
      const m = WORD.test(code[i - 1] ?? "") ? null : A1_REF.exec(code);
      const after = m ? code[i + m[0].length] ?? "" : "";
      if (m && !WORD.test(after) && after !== "(") {
        const col = lettersToColOrNull(m[2]!);
        const row = Number(m[4]) - 1;
        const rowId = row >= 0 && row < MAX_ROWS ? rows.idAt(row) : undefined;
        const colId = col === null ? undefined : cols.idAt(col);
        if (rowId !== undefined && colId !== undefined) {
          out += `${OPEN}${m[1]}${colId}.${m[3]}${rowId}${CLOSE}`;
          i += m[0].length;
          continue;
        }
      }
      out += code[i];
      i++;
    }
    return out;
  });
}

function lettersToColOrNull(letters: string): number | null {
  try {
    const col = lettersToCol(letters);
    return col < MAX_COLS ? col : null;
  } catch {
    return null;
  }
}

/** A stored formula as its A1 text for the current layout (`#REF!` for deleted cells). */
export function formulaFromStored(stored: string, rows: Axis, cols: Axis): string {
  if (!isFormula(stored) || !stored.includes(OPEN)) return stored;
  return mapOutsideStrings(stored, (code) => {
    let out = "";
    let i = 0;
    while (i < code.length) {
      if (code[i] === OPEN) {
        STORED.lastIndex = i;
        const m = STORED.exec(code);
        if (m) {
          const col = cols.indexOf(m[2]!);
          const row = rows.indexOf(m[4]!);
          out += row < 0 || col < 0 ? "#REF!" : `${m[1]}${colToLetters(col)}${m[3]}${row + 1}`;
          i += m[0].length;
          continue;
        }
      }
      out += code[i];
      i++;
    }
    return out;
  });
}
