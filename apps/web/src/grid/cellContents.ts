import { MAX_COLS, type CellStyle } from "@cosheet/sheet";

/** What a cell shows: its text, and its formatting as CSS declarations (without its place). */
export interface CellContent {
  text: string;
  css: string;
  changed: boolean;
  commented: boolean;
  /** Something is stored in the cell (a formula giving "" shows nothing, yet stops a text running on). */
  filled?: boolean;
  /**
   * The canvas font of a text that may run on over empty cells to its right, as in Excel (text,
   * aligned left); absent for numbers and anything else, which stay inside their cell.
   */
  flows?: string;
}

/** The font of a cell's text, as a canvas measures it (the grid's is 13px in the page's family). */
export function cellFont(style: CellStyle, family: string): string {
  return `${style.italic ? "italic " : ""}${style.bold ? "700 " : ""}13px ${family}`;
}

/**
 * The content of the cells a grid shows, worked out once per cell until what it depends on
 * changes: while scrolling, the rows that stay in view are read from here, not from the document
 * and the formula engine again every frame.
 */
export class CellContents {
  private readonly cache = new Map<number, CellContent>();
  private deps: readonly unknown[] = [];

  constructor(private readonly limit = 50_000) {}

  /** Forgets every cell when one of `deps` (the document's version, the sheet…) is not as last time. */
  depend(deps: readonly unknown[]): void {
    if (deps.length === this.deps.length && deps.every((d, i) => d === this.deps[i])) return;
    this.cache.clear();
    this.deps = deps;
  }

  get(row: number, col: number, compute: () => CellContent): CellContent {
    const key = row * MAX_COLS + col;
    let content = this.cache.get(key);
    if (!content) {
      // A long scroll without edits would keep every cell it passed: start over past the limit.
      if (this.cache.size >= this.limit) this.cache.clear();
      content = compute();
      this.cache.set(key, content);
    }
    return content;
  }
}

/** Formatting as CSS declarations, for a `style` attribute (the values are checked by the sheet). */
export function formattingCss(style: CellStyle, numeric: boolean): string {
  let css = "";
  if (style.bold) css += "font-weight:700;";
  if (style.italic) css += "font-style:italic;";
  if (style.color) css += `color:${style.color};`;
  if (style.fill) css += `background:${style.fill};`;
  const align = style.align ?? (numeric ? "right" : undefined);
  if (align) css += `text-align:${align};`;
  return css;
}
