import { computed, shallowRef } from "vue";
import { colToLetters, rangeContains, type CellRef } from "@cosheet/sheet";
import { useSelectionStore } from "../stores/selection";
import type { MenuItem } from "./HeaderMenu.vue";

export interface RowColumnCommands {
  insertRows(index: number, count: number): void;
  deleteRows(index: number, count: number): void;
  insertCols(index: number, count: number): void;
  deleteCols(index: number, count: number): void;
}

/** Inserting and deleting rows and columns: the header menu and the keyboard commands. */
export function useRowColumnMenu(size: () => { rows: number; cols: number }, commands: RowColumnCommands) {
  const selection = useSelectionStore();
  const menu = shallowRef<{ x: number; y: number; items: MenuItem[] } | null>(null);

  /** Whole columns are selected (every row of them): commands then act on columns. */
  const columnsSelected = computed(() => {
    const rows = size().rows;
    return selection.range.start.row === 0 && selection.range.end.row === rows - 1 && rows > 1;
  });

  function insertAtSelection(): void {
    const { start, end } = selection.range;
    if (columnsSelected.value) commands.insertCols(start.col, end.col - start.col + 1);
    else commands.insertRows(start.row, end.row - start.row + 1);
  }

  function deleteSelection(): void {
    const { start, end } = selection.range;
    if (columnsSelected.value) commands.deleteCols(start.col, end.col - start.col + 1);
    else commands.deleteRows(start.row, end.row - start.row + 1);
  }

  /** Opens the menu at (x, y) for a column header (`row` -1) or a row header (`col` -1). */
  function show(pos: CellRef, x: number, y: number): void {
    const { rows, cols } = size();
    if (pos.row < 0 && !(columnsSelected.value && rangeContains(selection.range, 0, pos.col))) {
      selection.selectRange({ row: 0, col: pos.col }, { row: rows - 1, col: pos.col });
    } else if (pos.col < 0 && !rangeContains(selection.range, pos.row, 0)) {
      selection.selectRange({ row: pos.row, col: 0 }, { row: pos.row, col: cols - 1 });
    }
    const { start, end } = selection.range;
    const items: MenuItem[] =
      pos.row < 0
        ? [
            { label: "Insert column left", action: () => commands.insertCols(start.col, 1) },
            { label: "Insert column right", action: () => commands.insertCols(end.col + 1, 1) },
            {
              label:
                end.col > start.col
                  ? `Delete columns ${colToLetters(start.col)}–${colToLetters(end.col)}`
                  : `Delete column ${colToLetters(start.col)}`,
              action: () => commands.deleteCols(start.col, end.col - start.col + 1),
            },
          ]
        : [
            { label: "Insert row above", action: () => commands.insertRows(start.row, 1) },
            { label: "Insert row below", action: () => commands.insertRows(end.row + 1, 1) },
            {
              label: end.row > start.row ? `Delete rows ${start.row + 1}–${end.row + 1}` : `Delete row ${start.row + 1}`,
              action: () => commands.deleteRows(start.row, end.row - start.row + 1),
            },
          ];
    menu.value = { x, y, items };
  }

  return { menu, columnsSelected, insertAtSelection, deleteSelection, show };
}
