import type { Range } from "./a1.js";
import { isoDateToSerial, serialToIsoDate } from "./dates.js";
import { parseNumberFormat, STYLE_ATTRS, type CellStyle } from "./format.js";
import { isFormula, shiftFormula } from "./refs.js";
import { SheetLimitError, type CellWrite, type Sheet } from "./sheet.js";
import { isNumericInput } from "./value.js";

export interface FillOptions {
  /**
   * Continue series (1, 2, 3…; dates; "Item 1", "Item 2"…), as dragging the fill handle does.
   * Without it every cell is a copy (formulas still adjusted), as Ctrl+D and Ctrl+R do.
   */
  series?: boolean;
}

/**
 * How a run of inputs continues past its end (`step` 1, 2, … away from it; negative before its
 * start): a numeric or date progression, a text with a counter, or null to repeat the run.
 */
function series(inputs: string[], dated: boolean): ((step: number) => string) | null {
  if (inputs.length === 0 || inputs.some((s) => s.trim() === "")) return null;
  const progression = (values: number[], show: (n: number) => string) => {
    const delta = values.length > 1 ? values[1]! - values[0]! : 1;
    for (let i = 2; i < values.length; i++) if (values[i]! - values[i - 1]! !== delta) return null;
    const last = values[values.length - 1]!;
    const first = values[0]!;
    return (step: number) => show(step > 0 ? last + delta * step : first + delta * step);
  };
  if (inputs.every((s) => isNumericInput(s))) {
    // A single number is copied (as in Excel and Google Sheets), unless it shows as a date, which
    // steps a day; two or more continue.
    if (inputs.length === 1 && !dated) return null;
    return progression(inputs.map(Number), (n) => String(Number(n.toPrecision(15))));
  }
  const dates = inputs.map(isoDateToSerial);
  if (dates.every((d) => d !== null)) return progression(dates as number[], (n) => serialToIsoDate(n) ?? "#VALUE!");
  const counters = inputs.map((s) => /^(.*\D)(\d+)$/.exec(s));
  const prefix = counters[0]?.[1];
  if (prefix !== undefined && counters.every((m) => m?.[1] === prefix)) {
    return progression(
      counters.map((m) => Number(m![2])),
      (n) => `${prefix}${Math.max(0, n)}`,
    );
  }
  return null;
}

/**
 * Fills `target` from `source` in one transaction (one undo step). `target` holds `source` and
 * extends it in one direction: down, up, right or left. Each line of source cells along that
 * direction repeats (formulas with their relative references moved, formatting copied) or, with
 * `series`, continues.
 */
export function fillRange(sheet: Sheet, source: Range, target: Range, options: FillOptions = {}, origin?: unknown): void {
  const down = target.end.row > source.end.row;
  const up = target.start.row < source.start.row;
  const right = target.end.col > source.end.col;
  const left = target.start.col < source.start.col;
  if ([down, up, right, left].filter(Boolean).length !== 1) {
    throw new SheetLimitError("a fill extends its source in exactly one direction");
  }
  const vertical = down || up;
  const [lineFrom, lineTo] = vertical ? [source.start.col, source.end.col] : [source.start.row, source.end.row];
  const [srcFrom, srcTo] = vertical ? [source.start.row, source.end.row] : [source.start.col, source.end.col];
  const [dstFrom, dstTo] = vertical
    ? down
      ? [source.end.row + 1, target.end.row]
      : [target.start.row, source.start.row - 1]
    : right
      ? [source.end.col + 1, target.end.col]
      : [target.start.col, source.start.col - 1];
  const length = srcTo - srcFrom + 1;
  const at = (line: number, along: number) => (vertical ? { row: along, col: line } : { row: line, col: along });

  const writes: CellWrite[] = [];
  const styles: { row: number; col: number; style: CellStyle }[] = [];
  for (let line = lineFrom; line <= lineTo; line++) {
    const inputs: string[] = [];
    const lineStyles: CellStyle[] = [];
    for (let i = srcFrom; i <= srcTo; i++) {
      const { row, col } = at(line, i);
      inputs.push(sheet.getInput(row, col));
      lineStyles.push(sheet.styleAt(row, col));
    }
    const dated = lineStyles.every((style) => parseNumberFormat(style.numFmt).kind === "date");
    const next = options.series ? series(inputs, dated) : null;
    for (let pos = dstFrom; pos <= dstTo; pos++) {
      // Which source cell this one repeats, and how far it is from it.
      const offset = pos - srcFrom;
      const index = ((offset % length) + length) % length;
      const from = at(line, srcFrom + index);
      const to = at(line, pos);
      const step = pos > srcTo ? pos - srcTo : pos - srcFrom;
      const input = inputs[index]!;
      const copy = isFormula(input) ? shiftFormula(input, to.row - from.row, to.col - from.col) : input;
      writes.push({ ...to, input: next ? next(step) : copy });
      styles.push({ ...to, style: lineStyles[index]! });
    }
  }
  sheet.doc.transact(() => {
    sheet.setCells(writes);
    for (const { row, col, style } of styles) {
      const patch: CellStyle = {};
      for (const attr of STYLE_ATTRS) (patch as Record<string, unknown>)[attr] = style[attr];
      sheet.setStyle({ start: { row, col }, end: { row, col } }, patch);
    }
  }, origin);
}
