import { computed, shallowRef, watch } from "vue";
import { cannotDeleteAll, colToLetters, rangeContains, type CellRef, type Range } from "@cosheet/sheet";
import { useSelectionStore } from "../stores/selection";
import type { MenuItem } from "./HeaderMenu.vue";

export interface RowColumnCommands {
  insertRows(index: number, count: number): void;
  deleteRows(index: number, count: number): void;
  insertCols(index: number, count: number): void;
  deleteCols(index: number, count: number): void;
  /** Sorts the sheet's rows (below any frozen ones) by a column. */
  sortSheet(col: number, descending: boolean): void;
  /** Tells the user why a command did nothing. */
  notice(message: string): void;
}

/** A command waiting for the user to confirm it. */
interface Confirmation {
  message: string;
  confirmLabel: string;
  run: () => void;
}

/**
 * Deleting more rows or columns than this at once asks first: everyone sharing the sheet loses
 * them, and a whole-sheet selection is one click away.
 */
const CONFIRM_DELETE_ABOVE = 100;

type Lines = "rows" | "columns";

/** Inserting, deleting and sorting rows and columns: the header menu and the keyboard commands. */
export function useRowColumnMenu(size: () => { rows: number; cols: number }, commands: RowColumnCommands) {
  const selection = useSelectionStore();
  const menu = shallowRef<{ x: number; y: number; items: MenuItem[] } | null>(null);
  const confirmation = shallowRef<Confirmation | null>(null);
  // A confirmation names rows by position: once someone adds or removes rows or columns, those
  // positions may hold others, so the question is withdrawn rather than answered for other rows.
  watch(
    () => `${size().rows}x${size().cols}`,
    () => {
      if (!confirmation.value) return;
      confirmation.value = null;
      commands.notice("The sheet changed while you were deciding: nothing was deleted.");
    },
  );

  /** Whole columns are selected (every row of them): commands then act on columns. */
  const columnsSelected = computed(() => {
    const rows = size().rows;
    return selection.range.start.row === 0 && selection.range.end.row === rows - 1 && rows > 1;
  });

  /** Whole rows are selected (every column of them). */
  const rowsSelected = computed(() => selection.range.start.col === 0 && selection.range.end.col === size().cols - 1);

  function refusal(lines: Lines, count: number): string | undefined {
    return cannotDeleteAll(lines, count, lines === "rows" ? size().rows : size().cols);
  }

  /** Deletes rows or columns unless that would delete them all; many only once confirmed. */
  function remove(lines: Lines, index: number, count: number): void {
    const refused = refusal(lines, count);
    const run = () => (lines === "rows" ? commands.deleteRows : commands.deleteCols)(index, count);
    if (refused) commands.notice(refused);
    else if (count <= CONFIRM_DELETE_ABOVE) run();
    else {
      const n = count.toLocaleString("en-US");
      confirmation.value = {
        message: `Delete ${n} ${lines}? Everyone in the sheet loses them; you can undo with Ctrl+Z.`,
        confirmLabel: `Delete ${n} ${lines}`,
        run,
      };
    }
  }

  /** Answers the pending confirmation: its command runs only if confirmed. */
  function answer(confirmed: boolean): void {
    const pending = confirmation.value;
    confirmation.value = null;
    if (confirmed) pending?.run();
  }

  function insertAtSelection(): void {
    const { start, end } = selection.range;
    if (columnsSelected.value) commands.insertCols(start.col, end.col - start.col + 1);
    else commands.insertRows(start.row, end.row - start.row + 1);
  }

  function deleteSelection(): void {
    const { start, end } = selection.range;
    if (columnsSelected.value) remove("columns", start.col, end.col - start.col + 1);
    else remove("rows", start.row, end.row - start.row + 1);
  }

  /** Inserting and deleting the rows (or the columns) of a range: the entries of a header's menu, and of a cell's. */
  function lineItems(lines: Lines, { start, end }: Range): MenuItem[] {
    if (lines === "columns") {
      const count = end.col - start.col + 1;
      return [
        { label: "Insert column left", action: () => commands.insertCols(start.col, 1) },
        { label: "Insert column right", action: () => commands.insertCols(end.col + 1, 1) },
        {
          label: count > 1 ? `Delete columns ${colToLetters(start.col)}–${colToLetters(end.col)}` : `Delete column ${colToLetters(start.col)}`,
          action: () => remove("columns", start.col, count),
          unavailable: refusal("columns", count),
        },
      ];
    }
    const count = end.row - start.row + 1;
    return [
      { label: "Insert row above", action: () => commands.insertRows(start.row, 1) },
      { label: "Insert row below", action: () => commands.insertRows(end.row + 1, 1) },
      {
        label: count > 1 ? `Delete rows ${start.row + 1}–${end.row + 1}` : `Delete row ${start.row + 1}`,
        action: () => remove("rows", start.row, count),
        unavailable: refusal("rows", count),
      },
    ];
  }

  /**
   * Opens the menu at (x, y) for a column header (`row` -1) or a row header (`col` -1). It acts on
   * the selection only when that is whole columns (rows) including the header; otherwise it selects
   * the header's column (row) first, so a selected column never turns a row's menu into "delete
   * every row".
   */
  function show(pos: CellRef, x: number, y: number): void {
    const { rows, cols } = size();
    if (pos.row < 0 && !(columnsSelected.value && rangeContains(selection.range, 0, pos.col))) {
      selection.selectRange({ row: 0, col: pos.col }, { row: rows - 1, col: pos.col });
    } else if (pos.col < 0 && !(rowsSelected.value && rangeContains(selection.range, pos.row, 0))) {
      selection.selectRange({ row: pos.row, col: 0 }, { row: pos.row, col: cols - 1 });
    }
    const items = pos.row < 0 ? lineItems("columns", selection.range) : lineItems("rows", selection.range);
    if (pos.row < 0) {
      const col = selection.range.start.col;
      items.push(
        { label: `Sort sheet by ${colToLetters(col)}, A → Z`, action: () => commands.sortSheet(col, false) },
        { label: `Sort sheet by ${colToLetters(col)}, Z → A`, action: () => commands.sortSheet(col, true) },
      );
    }
    menu.value = { x, y, items };
  }

  return { menu, confirmation, columnsSelected, insertAtSelection, deleteSelection, show, answer, lineItems };
}
