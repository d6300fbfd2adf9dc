import { onScopeDispose } from "vue";
import { shiftFormula, shownRange, type CellRef, type Range, type Sheet } from "@cosheet/sheet";
import { useSelectionStore } from "../stores/selection";
import { copiedFrom, fromClipboard, MAX_PASTE_CELLS, toClipboard } from "./clipboard";

export interface GridClipboardOptions {
  sheet: () => Sheet;
  /** Copy, cut and paste reach the grid only while this holds (focused, not editing a cell). */
  active: () => boolean;
  /** The sheet cannot be changed: copying works, cutting and pasting do nothing. */
  readOnly: () => boolean;
  clear: (range: Range) => void;
  paste: (at: CellRef, rows: string[][]) => void;
  notice: (message: string) => void;
}

/** Copy, cut and paste of the selection, as TSV and HTML, through the document's clipboard events. */
export function useGridClipboard(options: GridClipboardOptions): void {
  const selection = useSelectionStore();

  function onCopy(e: ClipboardEvent, cut = false): void {
    if (!options.active() || !e.clipboardData) return;
    const range = selection.range;
    const sheet = options.sheet();
    const { text, html } = toClipboard(sheet.readRange(range), cut ? undefined : range.start, shownRange(sheet, range));
    e.clipboardData.setData("text/plain", text);
    e.clipboardData.setData("text/html", html);
    e.preventDefault();
    if (cut) options.clear(selection.range);
  }

  function onCut(e: ClipboardEvent): void {
    if (!options.readOnly()) onCopy(e, true);
  }

  function onPaste(e: ClipboardEvent): void {
    if (!options.active() || options.readOnly() || !e.clipboardData) return;
    e.preventDefault();
    const html = e.clipboardData.getData("text/html");
    const copied = fromClipboard({ html, text: e.clipboardData.getData("text/plain") });
    const count = copied.reduce((n, r) => n + r.length, 0);
    if (count === 0) return;
    if (count > MAX_PASTE_CELLS) {
      options.notice(
        `That paste has ${count.toLocaleString()} cells; the limit is ${MAX_PASTE_CELLS.toLocaleString()}. Import large data as CSV instead.`,
      );
      return;
    }
    const at = selection.range.start;
    // Formulas copied here move their relative references by as much as they moved, as in Excel.
    const from = copiedFrom(html);
    const rows = from ? copied.map((r) => r.map((v) => shiftFormula(v, at.row - from.row, at.col - from.col))) : copied;
    options.paste(at, rows);
    const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
    selection.selectRange(at, { row: at.row + rows.length - 1, col: at.col + width - 1 });
  }

  document.addEventListener("copy", onCopy);
  document.addEventListener("cut", onCut);
  document.addEventListener("paste", onPaste);
  onScopeDispose(() => {
    document.removeEventListener("copy", onCopy);
    document.removeEventListener("cut", onCut);
    document.removeEventListener("paste", onPaste);
  });
}
