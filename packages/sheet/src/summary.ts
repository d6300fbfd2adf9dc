import type { CellValue } from "./value.js";

/**
 * What a status bar says of a selection, as spreadsheets do: `count` is the cells that hold
 * anything; `sum` and `average` are over the numbers among them (text, booleans, errors and
 * empty cells are left out), and `average` is null without any.
 */
export interface SelectionSummary {
  count: number;
  numbers: number;
  sum: number;
  average: number | null;
}

/** Sums up the values of a selection's non-empty cells. */
export function summarize(values: Iterable<CellValue>): SelectionSummary {
  let count = 0;
  let numbers = 0;
  let sum = 0;
  for (const value of values) {
    if (value === null || value === "") continue;
    count++;
    if (typeof value === "number") {
      numbers++;
      sum += value;
    }
  }
  return { count, numbers, sum, average: numbers === 0 ? null : sum / numbers };
}
