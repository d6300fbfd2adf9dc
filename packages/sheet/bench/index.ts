/** Benchmark support shared by the packages' `pnpm bench` runners: the formula scenarios and statistics. */
export { runFormulaBench } from "./formulas.js";
export type { FormulaFigures } from "./formulas.js";
export { median, percentile, round } from "./stats.js";
