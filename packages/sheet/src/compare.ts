import type { CellValue } from "./value.js";

/** Numbers, then text, then logicals, then errors, as spreadsheets sort; empty cells always last. */
function kind(value: CellValue): number {
  if (typeof value === "number") return 0;
  if (typeof value === "string") return 1;
  if (typeof value === "boolean") return 2;
  return value === null ? 4 : 3;
}

/** One collation for every replica (and the server): an order must not depend on who computes it. */
const text = new Intl.Collator("en", { sensitivity: "accent", numeric: false });

/**
 * The order of two values in an ascending sort: numbers by size, text alphabetically without
 * regard to case, FALSE before TRUE; errors are equal to each other (they keep their order).
 */
export function compareValues(a: CellValue, b: CellValue): number {
  const [ka, kb] = [kind(a), kind(b)];
  if (ka !== kb) return ka - kb;
  if (typeof a === "number") return a - (b as number);
  if (typeof a === "string") return text.compare(a, b as string);
  if (typeof a === "boolean") return Number(a) - Number(b);
  return 0;
}
