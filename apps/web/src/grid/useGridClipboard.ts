import { onScopeDispose, shallowRef } from "vue";
import { randomId, shiftFormula, shownRange, type CellIds, type CellRef, type CellStyle, type Range, type Sheet } from "@cosheet/sheet";
import { useSelectionStore } from "../stores/selection";
import { spanning } from "./navigation";
import { copiedFrom, cutToken, fromClipboard, MAX_PASTE_CELLS, toClipboard } from "./clipboard";

export interface GridClipboardOptions {
  sheet: () => Sheet;
  /** Copy, cut and paste reach the grid only while this holds (focused, not editing a cell). */
  active: () => boolean;
  /** The sheet cannot be changed: copying works, cutting and pasting do nothing. */
  readOnly: () => boolean;
  /** The parts of a range that copying and cutting take: those on shown rows (see RowLayout.shownParts). */
  shownParts: (range: Range) => Range[];
  /** Move the cells of a cut (`from`, where they are now) to a cell: a cut pasted in this page. */
  move: (from: Range, to: CellRef) => void;
  /** Write pasted inputs at a cell, with the formatting each cell had where there is some (null: leave the cells' own). */
  paste: (at: CellRef, rows: string[][], styles: CellStyle[][] | null) => void;
  notice: (message: string) => void;
}

/** What a copy puts on the clipboard, and what a paste takes from it. */
interface ClipboardData {
  text: string;
  html: string;
}

/**
 * Copy, cut and paste of the selection, as TSV and HTML: through the document's clipboard events
 * (Ctrl+C, Ctrl+X, Ctrl+V, and Ctrl+Shift+V for values only), and from a menu through the
 * asynchronous clipboard, where the browser allows it.
 */
export function useGridClipboard(options: GridClipboardOptions) {
  const selection = useSelectionStore();
  /** Set by Ctrl+Shift+V until its paste event comes: that paste takes values only. */
  let valuesOnly = false;
  /**
   * The cut waiting for its paste, as in Excel and Google Sheets: nothing moves until it is pasted
   * in this page (then the cells move, formulas pointing at them following); pasted elsewhere, it
   * is a copy. Its corners are kept by ids, so it stays on its cells as others edit.
   */
  const cutting = shallowRef<{ token: string; tab: string; start: CellIds; end: CellIds } | null>(null);

  /** The tokens of cuts already pasted: a cut moves once, as in Excel (pasted again, nothing happens). */
  const pastedCuts = new Set<string>();

  /** Where the cut's cells are now (null once a corner's row or column is gone, or on another tab). */
  function cutRange(): Range | null {
    const cut = cutting.value;
    const sheet = options.sheet();
    if (!cut || cut.tab !== sheet.tab) return null;
    const [a, b] = [sheet.positionOfIds(cut.start), sheet.positionOfIds(cut.end)];
    // A sort since may have put the corners the other way round.
    return a && b ? spanning(a, b) : null;
  }

  /** What a copy of a range holds: its shown rows, one after the other (rows a filter hides are left out). */
  function copied(range: Range, cut: boolean): ClipboardData {
    const sheet = options.sheet();
    const [start, end] = [sheet.idsAt(range.start.row, range.start.col), sheet.idsAt(range.end.row, range.end.col)];
    cutting.value = cut && start && end ? { token: randomId(12), tab: sheet.tab, start, end } : null;
    const parts = options.shownParts(range);
    const inputs = parts.flatMap((part) => sheet.readRange(part));
    const styles = parts.flatMap(({ start, end }) =>
      Array.from({ length: end.row - start.row + 1 }, (_, i) => Array.from({ length: end.col - start.col + 1 }, (_, j) => sheet.styleAt(start.row + i, start.col + j))),
    );
    return toClipboard(inputs, cut ? undefined : range.start, parts.flatMap((part) => shownRange(sheet, part)), styles, cutting.value?.token);
  }

  function onCopy(e: ClipboardEvent, cut = false): void {
    if (!options.active() || !e.clipboardData) return;
    const { text, html } = copied(selection.range, cut);
    e.clipboardData.setData("text/plain", text);
    e.clipboardData.setData("text/html", html);
    e.preventDefault();
  }

  function onCut(e: ClipboardEvent): void {
    if (!options.readOnly()) onCopy(e, true);
  }

  /**
   * Pastes at the selection: formulas copied in Cosheet move their relative references by as much
   * as they moved, a table's formatting comes with it, and one value pasted onto a larger
   * selection fills it, as in Excel. With `values`, the plain text alone: what the copied cells
   * showed, not their formulas or formats.
   */
  function pasteData({ html, text }: ClipboardData, values: boolean, range: Range = selection.range): void {
    if (options.readOnly()) return;
    // This page's cut, pasted: its cells move.
    const token = values ? null : cutToken(html);
    if (token && pastedCuts.has(token)) return;
    const cut = token && cutting.value?.token === token ? cutRange() : null;
    if (token && cutting.value?.token === token && !cut) options.notice("Those cells were cut on another tab, or their rows or columns are gone: this pastes a copy of them.");
    if (cut) {
      pastedCuts.add(token!);
      cutting.value = null;
      const at = range.start;
      options.move(cut, at);
      selection.selectRange(at, { row: at.row + cut.end.row - cut.start.row, col: at.col + cut.end.col - cut.start.col });
      return;
    }
    const { rows: pasted, styles } = fromClipboard(values ? { text } : { html, text });
    const count = pasted.reduce((n, r) => n + r.length, 0);
    if (count === 0) return;
    const single = pasted.length === 1 && pasted[0]!.length === 1;
    const height = single ? range.end.row - range.start.row + 1 : pasted.length;
    const width = single ? range.end.col - range.start.col + 1 : pasted.reduce((w, r) => Math.max(w, r.length), 0);
    const cells = single ? height * width : count;
    if (cells > MAX_PASTE_CELLS) {
      options.notice(`That paste has ${cells.toLocaleString()} cells; the limit is ${MAX_PASTE_CELLS.toLocaleString()}. Import large data as CSV instead.`);
      return;
    }
    const at = range.start;
    const from = values ? null : copiedFrom(html);
    const moved = (v: string, r: number, c: number) => (from ? shiftFormula(v, at.row + r - from.row, at.col + c - from.col) : v);
    const rows = single
      ? Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => moved(pasted[0]![0]!, r, c)))
      : pasted.map((line, r) => line.map((v, c) => moved(v, r, c)));
    const formats = styles && single ? rows.map((line) => line.map(() => styles[0]![0]!)) : styles;
    options.paste(at, rows, formats);
    selection.selectRange(at, { row: at.row + height - 1, col: at.col + width - 1 });
  }

  function onPaste(e: ClipboardEvent): void {
    const values = valuesOnly;
    valuesOnly = false;
    if (!options.active() || options.readOnly() || !e.clipboardData) return;
    e.preventDefault();
    pasteData({ html: e.clipboardData.getData("text/html"), text: e.clipboardData.getData("text/plain") }, values);
  }

  /** Ctrl+Shift+V (Cmd+Shift+V): the paste that follows takes values only (any other key forgets it). */
  function onKeydown(e: KeyboardEvent): void {
    valuesOnly = (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === "v";
  }

  /** Copy or cut a range from a menu, where the browser lets the page write the clipboard. */
  async function copyFromMenu(range: Range, cut: boolean): Promise<void> {
    if (cut && options.readOnly()) return;
    const { text, html } = copied(range, cut);
    try {
      await navigator.clipboard.write([
        new ClipboardItem({ "text/plain": new Blob([text], { type: "text/plain" }), "text/html": new Blob([html], { type: "text/html" }) }),
      ]);
    } catch {
      options.notice(`This browser does not let the page use the clipboard from a menu: press ${cut ? "Ctrl+X" : "Ctrl+C"} instead.`);
      cutting.value = null;
    }
  }

  /** Paste onto a range from a menu, all of it or values only, where the browser lets the page read the clipboard. */
  async function pasteFromMenu(range: Range, values: boolean): Promise<void> {
    let data: ClipboardData;
    try {
      const items = await navigator.clipboard.read();
      const read = async (type: string) => {
        const item = items.find((i) => i.types.includes(type));
        return item ? (await item.getType(type)).text() : "";
      };
      data = { html: await read("text/html"), text: await read("text/plain") };
    } catch {
      options.notice(`This browser does not let the page read the clipboard from a menu: press ${values ? "Ctrl+Shift+V" : "Ctrl+V"} instead.`);
      return;
    }
    pasteData(data, values, range);
  }

  document.addEventListener("copy", onCopy);
  document.addEventListener("cut", onCut);
  document.addEventListener("paste", onPaste);
  document.addEventListener("keydown", onKeydown, { capture: true });
  onScopeDispose(() => {
    document.removeEventListener("copy", onCopy);
    document.removeEventListener("cut", onCut);
    document.removeEventListener("paste", onPaste);
    document.removeEventListener("keydown", onKeydown, { capture: true });
  });
  function cancelCut(): void {
    cutting.value = null;
  }

  return { copyFromMenu, pasteFromMenu, cutRange, cancelCut };
}
