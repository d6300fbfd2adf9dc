declare module "fast-formula-parser" {
  export interface CellRef {
    sheet?: string;
    row: number;
    col: number;
  }
  export interface RangeRef {
    sheet?: string;
    from: { row: number; col: number };
    to: { row: number; col: number };
  }
  export class FormulaError extends Error {
    constructor(error: string, msg?: string);
    readonly error: string;
  }
  /** An argument as custom functions receive it: `value` is a scalar or, for ranges, rows of values. */
  export interface Arg {
    value: unknown;
  }
  interface Options {
    onCell: (ref: CellRef) => unknown;
    onRange: (ref: RangeRef) => unknown[][];
    functions?: Record<string, (...args: Arg[]) => unknown>;
  }
  export default class FormulaParser {
    static FormulaError: typeof FormulaError;
    constructor(options: Options);
    /** `allowReturnArray`: an array (or a range) comes back as rows of values, not as its first value. */
    parse(formula: string, position: CellRef, allowReturnArray?: boolean): unknown;
    supportedFunctions(): string[];
  }
}
