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

/**
 * The value of a raw input (not a formula): the number for numeric input, a logical for TRUE or
 * FALSE (in any case), the text otherwise, null when empty.
 */
export function valueOf(input: string): number | string | boolean | null {
  if (input === "") return null;
  if (isNumericInput(input)) return Number(input.trim());
  const upper = input.trim().toUpperCase();
  if (upper === "TRUE" || upper === "FALSE") return upper === "TRUE";
  return input;
}
