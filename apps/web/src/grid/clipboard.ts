import { CsvError, formatCell, parseCell, parseCsv, toCsv, type CellRef } from "@cosheet/sheet";

/** The most cells one paste may write (a larger one is refused with a message). */
export const MAX_PASTE_CELLS = 200_000;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

/**
 * A block of cells as the clipboard formats other spreadsheets read: an HTML table of their inputs
 * (formulas included), which Cosheet and spreadsheets paste, and tab-separated text of what they
 * show (`shown`, by default the inputs; quoted where a value holds a tab, newline or quote), which a
 * text editor pastes. A copy (not a cut) notes where it came from on the table, so pasting it
 * elsewhere in Cosheet moves its formulas' relative references.
 */
export function toClipboard(
  rows: readonly (readonly string[])[],
  from?: CellRef,
  shown: readonly (readonly string[])[] = rows,
): { text: string; html: string } {
  const body = rows
    .map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(v).replace(/\n/g, "<br>")}</td>`).join("")}</tr>`)
    .join("");
  const origin = from ? ` data-cosheet-from="${formatCell(from)}"` : "";
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

function fromHtml(html: string): string[][] | null {
  const table = new DOMParser().parseFromString(html, "text/html").querySelector("table");
  if (!table) return null;
  const rows: string[][] = [];
  for (const tr of table.querySelectorAll("tr")) {
    const row: string[] = [];
    for (const td of tr.querySelectorAll("td, th")) {
      row.push(cellText(td).trim());
      const span = Number(td.getAttribute("colspan") ?? 1);
      for (let i = 1; i < span && i < 1000; i++) row.push("");
    }
    rows.push(row);
  }
  return rows;
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

/** What was copied, as rows of cell inputs: an HTML table if there is one, else the text. */
export function fromClipboard(data: { html?: string; text?: string }): string[][] {
  return (data.html ? fromHtml(data.html) : null) ?? fromText(data.text ?? "");
}
