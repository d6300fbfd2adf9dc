import { typedDateToSerial, type DateOrder } from "./dates.js";

/** A spreadsheet error such as `#DIV/0!`, as a computed value. */
export interface CellError {
  error: string;
}

/** The value of a cell: a number, a text, a logical, an error, or null for an empty cell. */
export type CellValue = number | string | boolean | CellError | null;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True when the input is a plain number ("42", "-3.5", "1e3"), as a spreadsheet reads it. */
export function isNumericInput(input: string): boolean {
  return NUMBER.test(input.trim());
}

/** `50%`, `-12.5 %`: a percentage. */
const PERCENT = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*%$/;
/** `1,234.5`, `$1,200`, `-$3.50`, `$-3.50`: grouped digits and an optional dollar sign. */
const GROUPED = /^([+-]?)\$?([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d*)?$/;

/**
 * The number a typed input means, as a spreadsheet reads it: plain numbers, percentages (`50%` is
 * 0.5), grouped digits and dollar amounts (`$1,200`), and dates with or without a time
 * (`2024-01-15`, `1/15/2024` read in `order`, `15 Jan 2024 9:30` are serial dates; see
 * typedDateToSerial). Null for anything else. The input itself is kept as typed.
 */
export function numberOf(input: string, order: DateOrder = "mdy"): number | null {
  const text = input.trim();
  if (NUMBER.test(text)) return Number(text);
  const percent = PERCENT.exec(text);
  if (percent) return Number(percent[1]) / 100;
  const grouped = GROUPED.exec(text);
  if (grouped && (text.includes(",") || text.includes("$")) && !(grouped[1] && grouped[2])) {
    const n = Number(`${grouped[3]!.replace(/,/g, "")}${grouped[4] ?? ""}`);
    return grouped[1] === "-" || grouped[2] === "-" ? -n : n;
  }
  return typedDateToSerial(text, order);
}

/** The error values a cell can hold; typed as they are, they are errors, not text (as in Excel). */
const ERROR_LITERALS: ReadonlySet<string> = new Set(["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"]);

/**
 * The value of a raw input (not a formula): its number (see {@link numberOf}, dates read in `order`), a logical for TRUE
 * or FALSE (in any case), an error for an error literal such as `#N/A`, the text otherwise, null
 * when empty.
 */
export function valueOf(input: string, order: DateOrder = "mdy"): CellValue {
  if (input === "") return null;
  const n = numberOf(input, order);
  if (n !== null) return n;
  const upper = input.trim().toUpperCase();
  if (upper === "TRUE" || upper === "FALSE") return upper === "TRUE";
  if (ERROR_LITERALS.has(upper)) return { error: upper };
  return input;
}
