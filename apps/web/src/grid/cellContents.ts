import { DEFAULT_FONT_SIZE, MAX_COLS, type CellStyle } from "@cosheet/sheet";

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

/** The grid's text, in CSS pixels: 10 pt. */
const TEXT_PX = 13;
/** A cell's padding above and below its lines, when they are laid out in lines (see linesCss). */
const LINES_PADDING = 3;

/** A font size in points as CSS pixels (10 pt is the grid's 13 px). */
function fontPx(style: CellStyle): number {
  return style.fontSize === undefined ? TEXT_PX : Math.round(((style.fontSize / DEFAULT_FONT_SIZE) * TEXT_PX));
}

/** How high a line of a cell's text is. */
export function lineHeight(style: CellStyle): number {
  return Math.round(fontPx(style) * 1.3);
}

/** The height a cell's text needs for `lines` lines of it (see lineHeight). */
export function linesHeight(style: CellStyle, lines: number): number {
  return lines * lineHeight(style) + 2 * LINES_PADDING;
}

/** The font of a cell's text, as a canvas measures it (the grid's is 13px in the page's family). */
export function cellFont(style: CellStyle, family: string): string {
  return `${style.italic ? "italic " : ""}${style.bold ? "700 " : ""}${fontPx(style)}px ${family}`;
}

/**
 * How many lines a text takes wrapped at `width` pixels, as the grid's cells wrap it
 * (`white-space: pre-wrap; overflow-wrap: anywhere`): at its line breaks, between words, and
 * within a word too long for a line. Counting stops past `most` lines (a row is only so high).
 */
export function wrappedLines(text: string, width: number, measure: (text: string) => number, most = Infinity): number {
  let lines = 0;
  for (const paragraph of text.split("\n")) {
    if (lines >= most) return lines;
    lines++;
    let used = 0;
    // Each word with the spaces after it (those may hang past the edge, as in CSS).
    for (const word of paragraph.match(/\S+\s*|\s+/g) ?? []) {
      const ink = measure(word.trimEnd());
      if (used > 0 && used + ink > width) {
        lines++;
        used = 0;
      }
      if (ink > width) {
        // Too long for any line: broken where it reaches the edge.
        for (const char of word.trimEnd()) {
          const w = measure(char);
          if (used > 0 && used + w > width) {
            lines++;
            used = 0;
          }
          used += w;
        }
        used += measure(word) - ink;
      } else used += measure(word);
    }
  }
  return lines;
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
export function formattingCss(style: CellStyle, numeric: boolean, table = false): string {
  let css = "";
  if (style.bold) css += "font-weight:700;";
  if (style.italic) css += "font-style:italic;";
  const lines = [style.underline ? "underline" : "", style.strike ? "line-through" : ""].filter(Boolean).join(" ");
  if (lines) css += `text-decoration:${lines};`;
  if (style.fontSize !== undefined) css += `font-size:${fontPx(style)}px;`;
  // In a table (printed, copied), a cell stays a table cell: placed by vertical-align.
  if (table) {
    if (style.valign) css += `vertical-align:${style.valign};`;
    if (style.wrap) css += "white-space:pre-wrap;";
    return css;
  }
  // Wrapped, larger or placed text is laid out in lines, at the bottom of its row unless placed.
  if (style.wrap || style.fontSize !== undefined || style.valign) {
    css += `display:grid;line-height:${lineHeight(style)}px;padding-top:${LINES_PADDING}px;padding-bottom:${LINES_PADDING}px;`;
    css += `align-content:${{ top: "start", middle: "center", bottom: "end" }[style.valign ?? "bottom"]};`;
  }
  if (style.wrap) css += "white-space:pre-wrap;overflow-wrap:anywhere;";
  if (style.color) css += `color:${style.color};`;
  if (style.fill) css += `background:${style.fill};`;
  const align = style.align ?? (numeric ? "right" : undefined);
  if (align) css += `text-align:${align};`;
  return css;
}
