import { CsvError, formatCell, isColor, isStyleValue, parseCell, parseCsv, STYLE_ATTRS, toCsv, type CellRef, type CellStyle } from "@cosheet/sheet";
import { formattingCss } from "./cellContents";

/** The most cells one paste may write (a larger one is refused with a message). */
export const MAX_PASTE_CELLS = 200_000;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

/**
 * A block of cells as the clipboard formats other spreadsheets read: an HTML table of their inputs
 * (formulas included) and formatting, which Cosheet and spreadsheets paste, and tab-separated text
 * of what they show (`shown`, by default the inputs; quoted where a value holds a tab, newline or
 * quote), which a text editor pastes. A copy (not a cut) notes where it came from on the table,
 * so pasting it elsewhere in Cosheet moves its formulas' relative references. Formatting goes as
 * CSS, for other spreadsheets, and whole for Cosheet (`data-cosheet-style`).
 */
export function toClipboard(
  rows: readonly (readonly string[])[],
  from?: CellRef,
  shown: readonly (readonly string[])[] = rows,
  styles?: readonly (readonly CellStyle[])[],
  /** A cut's token: pasted in this page, the cells move (see cutToken). */
  cut?: string,
): { text: string; html: string } {
  const cell = (v: string, style: CellStyle | undefined) => {
    const styled = style && Object.keys(style).length > 0;
    const attrs = styled ? ` style="${escapeHtml(formattingCss(style, false, true))}" data-cosheet-style="${escapeHtml(JSON.stringify(style))}"` : "";
    return `<td${attrs}>${escapeHtml(v).replace(/\n/g, "<br>")}</td>`;
  };
  const body = rows.map((r, i) => `<tr>${r.map((v, j) => cell(v, styles?.[i]?.[j])).join("")}</tr>`).join("");
  const origin = (from ? ` data-cosheet-from="${formatCell(from)}"` : "") + (cut ? ` data-cosheet-cut="${escapeHtml(cut)}"` : "");
  return { text: toCsv(shown, { delimiter: "\t" }), html: `<table${origin}><tbody>${body}</tbody></table>` };
}

/** Where a copy made in Cosheet came from (see toClipboard), or null. */
export function copiedFrom(html: string | undefined): CellRef | null {
  const table = html ? new DOMParser().parseFromString(html, "text/html").querySelector("table[data-cosheet-from]") : null;
  try {
    return table ? parseCell(table.getAttribute("data-cosheet-from")!) : null;
  } catch {
    return null;
  }
}

/** The token of the cut a table was copied by (see toClipboard), or null. */
export function cutToken(html: string | undefined): string | null {
  const table = html ? new DOMParser().parseFromString(html, "text/html").querySelector("table[data-cosheet-cut]") : null;
  return table?.getAttribute("data-cosheet-cut") ?? null;
}

/** A cell's text as a user sees it: whitespace collapsed, `<br>` as a line break. */
function cellText(node: Node): string {
  let out = "";
  for (const child of node.childNodes) {
    if (child.nodeType === 3) out += (child.textContent ?? "").replace(/[ \t\r\n]+/g, " ");
    else if (child.nodeName === "BR") out += "\n";
    else out += cellText(child);
  }
  return out;
}

/** What was copied: rows of cell inputs, and for a table, each cell's formatting. */
export interface Pasted {
  rows: string[][];
  styles: CellStyle[][] | null;
}

/** The most rows or columns one cell of a pasted table may span. */
const MAX_SPAN = 1000;

/**
 * A pasted HTML table's cells where they land: a cell spanning rows or columns (`rowspan`,
 * `colspan`) takes its first one, and the others it covers stay empty, as Excel pastes them.
 */
function fromHtml(html: string): Pasted | null {
  const table = new DOMParser().parseFromString(html, "text/html").querySelector("table");
  if (!table) return null;
  const rows: string[][] = [];
  const styles: CellStyle[][] = [];
  /** Columns of later rows taken by cells spanning down into them. */
  const taken = new Map<number, Set<number>>();
  let r = 0;
  let spanned = 0;
  for (const tr of table.querySelectorAll("tr")) {
    const row = (rows[r] ??= []);
    const rowStyles = (styles[r] ??= []);
    let c = 0;
    for (const td of tr.querySelectorAll("td, th")) {
      while (taken.get(r)?.has(c)) c++;
      const span = (name: string) => Math.max(1, Math.min(MAX_SPAN, Math.floor(Number(td.getAttribute(name) ?? 1)) || 1));
      let [down, across] = [span("rowspan"), span("colspan")];
      // Spans only so large in all: a crafted table must not make the page build millions of cells.
      if ((spanned += down * across) > MAX_PASTE_CELLS) [down, across] = [1, 1];
      for (let i = 0; i < down; i++) {
        for (let j = 0; j < across; j++) {
          if (i > 0) {
            if (!taken.has(r + i)) taken.set(r + i, new Set());
            taken.get(r + i)!.add(c + j);
          }
        }
      }
      while (row.length < c) row.push("");
      row[c] = cellText(td).trim();
      rowStyles[c] = styleOf(td as HTMLElement);
      for (let j = 1; j < across; j++) row[c + j] ??= "";
      c += across;
    }
    r++;
  }
  // Rows a cell spans down into past the last <tr>, and every row as wide as the widest.
  for (const below of taken.keys()) {
    rows[below] ??= [];
    styles[below] ??= [];
  }
  let width = 0;
  for (const [i, row] of rows.entries()) {
    width = Math.max(width, row.length);
    for (const c of taken.get(i) ?? []) width = Math.max(width, c + 1);
  }
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < width; j++) {
      rows[i]![j] ??= "";
      styles[i]![j] ??= {};
    }
  }
  return { rows, styles };
}

/**
 * A pasted cell's formatting: as Cosheet copied it, each attribute checked as the sheet checks it;
 * from another spreadsheet, what its inline CSS says of weight, slant, lines, colours and alignment.
 */
function styleOf(td: HTMLElement): CellStyle {
  const style: Record<string, unknown> = {};
  const whole = td.getAttribute("data-cosheet-style");
  if (whole) {
    try {
      const parsed: unknown = JSON.parse(whole);
      if (parsed && typeof parsed === "object") {
        for (const attr of STYLE_ATTRS) {
          const value = (parsed as Record<string, unknown>)[attr];
          if (value !== undefined && isStyleValue(attr, value)) style[attr] = value;
        }
      }
    } catch {
      // Not JSON: read as any spreadsheet's.
    }
    if (Object.keys(style).length > 0) return style as CellStyle;
  }
  // Read from the attribute's text: the page's Content-Security-Policy leaves `element.style` empty.
  const css = declarations(td.getAttribute("style") ?? "");
  const weight = css.get("font-weight") ?? "";
  if (weight === "bold" || Number(weight) >= 600) style.bold = true;
  if (css.get("font-style") === "italic") style.italic = true;
  const lines = `${css.get("text-decoration") ?? ""} ${css.get("text-decoration-line") ?? ""}`;
  if (lines.includes("underline")) style.underline = true;
  if (lines.includes("line-through")) style.strike = true;
  const color = hexOf(css.get("color") ?? "");
  if (color && color !== "#000000") style.color = color;
  const fill = hexOf(css.get("background-color") ?? css.get("background") ?? "");
  if (fill && fill !== "#ffffff") style.fill = fill;
  const align = css.get("text-align");
  if (align === "left" || align === "center" || align === "right") style.align = align;
  return style as CellStyle;
}

/** The declarations of a `style` attribute, by property (lower case), their values trimmed and lower case. */
function declarations(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(";")) {
    const colon = part.indexOf(":");
    if (colon > 0) out.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).replace(/!important/i, "").trim().toLowerCase());
  }
  return out;
}

/** A CSS colour (`#abc`, `#aabbcc`, `rgb(…)`) as `#rrggbb`, or undefined. */
function hexOf(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (isColor(v as unknown)) return v;
  if (/^#[0-9a-f]{3}$/.test(v)) return `#${[...v.slice(1)].map((d) => d + d).join("")}`;
  const m = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(v);
  if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return undefined;
  return `#${[m[1], m[2], m[3]].map((n) => Math.min(255, Number(n)).toString(16).padStart(2, "0")).join("")}`;
}

function fromText(text: string): string[][] {
  try {
    return parseCsv(text, "\t");
  } catch (err) {
    // Plain text with a stray quote is not TSV quoting: take it line by line, as it is.
    if (!(err instanceof CsvError)) throw err;
    return text.replace(/\r?\n$/, "").split(/\r?\n/).map((line) => line.split("\t"));
  }
}

/** What was copied: an HTML table (its inputs and formatting) if there is one, else the text's inputs alone. */
export function fromClipboard(data: { html?: string; text?: string }): Pasted {
  return (data.html ? fromHtml(data.html) : null) ?? { rows: fromText(data.text ?? ""), styles: null };
}
