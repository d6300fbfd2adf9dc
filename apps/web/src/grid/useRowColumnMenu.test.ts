import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { nextTick, reactive } from "vue";
import { useSelectionStore } from "../stores/selection";
import { useRowColumnMenu } from "./useRowColumnMenu";

const size = reactive({ rows: 1000, cols: 26 });

function setup() {
  const commands = {
    insertRows: vi.fn(),
    deleteRows: vi.fn(),
    insertCols: vi.fn(),
    deleteCols: vi.fn(),
    sortSheet: vi.fn(),
    notice: vi.fn(),
  };
  const menu = useRowColumnMenu(() => size, commands);
  const selection = useSelectionStore();
  /** The menu's delete item after a right-click on a row header (`row`) or column header (`col`). */
  const deleteItem = (at: { row: number } | { col: number }) => {
    menu.show("row" in at ? { row: at.row, col: -1 } : { row: -1, col: at.col }, 0, 0);
    return menu.menu.value!.items.find((item) => item.label.startsWith("Delete"))!;
  };
  return { commands, menu, selection, deleteItem };
}

beforeEach(() => {
  setActivePinia(createPinia());
  Object.assign(size, { rows: 1000, cols: 26 });
});

describe("the header menu", () => {
  it("acts on the right-clicked row when a column is selected, not on every row", () => {
    const { commands, selection, deleteItem } = setup();
    selection.selectRange({ row: 0, col: 0 }, { row: 999, col: 0 });
    const item = deleteItem({ row: 4 });
    expect(item.label).toBe("Delete row 5");
    expect(item.unavailable).toBeUndefined();
    expect(selection.range).toEqual({ start: { row: 4, col: 0 }, end: { row: 4, col: 25 } });
    item.action();
    expect(commands.deleteRows).toHaveBeenCalledWith(4, 1);
  });

  it("acts on the right-clicked column when rows or cells are selected", () => {
    const { selection, deleteItem } = setup();
    selection.selectRange({ row: 2, col: 0 }, { row: 5, col: 25 });
    expect(deleteItem({ col: 3 }).label).toBe("Delete column D");
    selection.selectRange({ row: 0, col: 1 }, { row: 3, col: 4 });
    expect(deleteItem({ col: 2 }).label).toBe("Delete column C");
  });

  it("keeps a selection of whole rows or columns that holds the right-clicked header", () => {
    const { selection, deleteItem } = setup();
    selection.selectRange({ row: 2, col: 0 }, { row: 5, col: 25 });
    expect(deleteItem({ row: 4 }).label).toBe("Delete rows 3–6");
    expect(deleteItem({ row: 9 }).label).toBe("Delete row 10");
    selection.selectRange({ row: 0, col: 1 }, { row: 999, col: 2 });
    expect(deleteItem({ col: 2 }).label).toBe("Delete columns B–C");
    // Cells of one column are not the whole row: the row's menu is for that row alone.
    selection.selectRange({ row: 2, col: 0 }, { row: 5, col: 0 });
    expect(deleteItem({ row: 3 }).label).toBe("Delete row 4");
  });

  it("offers no way to delete every row or column, and says why", () => {
    const { commands, selection, deleteItem } = setup();
    selection.selectRange({ row: 0, col: 0 }, { row: 999, col: 25 });
    const rows = deleteItem({ row: 4 });
    expect(rows.label).toBe("Delete rows 1–1000");
    expect(rows.unavailable).toBe("You can't delete all the rows on the sheet");
    expect(deleteItem({ col: 0 }).unavailable).toBe("You can't delete all the columns on the sheet");
    expect(commands.deleteRows).not.toHaveBeenCalled();
  });
});

describe("the keyboard delete command", () => {
  it("deletes whole columns as columns, and rows for whole rows or cells", () => {
    const { commands, menu, selection } = setup();
    selection.selectRange({ row: 0, col: 1 }, { row: 999, col: 2 });
    menu.deleteSelection();
    expect(commands.deleteCols).toHaveBeenCalledWith(1, 2);
    selection.selectRange({ row: 3, col: 0 }, { row: 4, col: 25 });
    menu.deleteSelection();
    selection.selectRange({ row: 6, col: 2 }, { row: 7, col: 3 });
    menu.deleteSelection();
    expect(commands.deleteRows.mock.calls).toEqual([
      [3, 2],
      [6, 2],
    ]);
  });

  it("refuses to delete every row or column, with the reason", () => {
    const { commands, menu, selection } = setup();
    selection.selectRange({ row: 0, col: 0 }, { row: 999, col: 25 });
    menu.deleteSelection();
    expect(commands.notice).toHaveBeenCalledWith("You can't delete all the columns on the sheet");
    expect(menu.confirmation.value).toBeNull();
    expect(commands.deleteRows).not.toHaveBeenCalled();
    expect(commands.deleteCols).not.toHaveBeenCalled();
  });

  it("deletes more than 100 rows only once confirmed", () => {
    const { commands, menu, selection } = setup();
    selection.selectRange({ row: 0, col: 0 }, { row: 99, col: 1 });
    menu.deleteSelection();
    expect(commands.deleteRows).toHaveBeenCalledWith(0, 100);
    expect(menu.confirmation.value).toBeNull();

    selection.selectRange({ row: 0, col: 0 }, { row: 149, col: 1 });
    menu.deleteSelection();
    expect(menu.confirmation.value).toMatchObject({
      message: "Delete 150 rows? Everyone in the sheet loses them; you can undo with Ctrl+Z.",
      confirmLabel: "Delete 150 rows",
    });
    menu.answer(false);
    expect(menu.confirmation.value).toBeNull();
    expect(commands.deleteRows).toHaveBeenCalledTimes(1);

    menu.deleteSelection();
    menu.answer(true);
    expect(menu.confirmation.value).toBeNull();
    expect(commands.deleteRows).toHaveBeenLastCalledWith(0, 150);
  });

  it("withdraws a pending confirmation when rows or columns change meanwhile", async () => {
    const { commands, menu, selection, deleteItem } = setup();
    selection.selectRange({ row: 0, col: 0 }, { row: 199, col: 25 });
    deleteItem({ row: 0 }).action();
    expect(menu.confirmation.value?.message).toMatch(/^Delete 200 rows\?/);
    size.rows = 1001; // someone inserted a row above
    await nextTick();
    expect(menu.confirmation.value).toBeNull();
    expect(commands.notice).toHaveBeenCalledWith("The sheet changed while you were deciding: nothing was deleted.");
    expect(commands.deleteRows).not.toHaveBeenCalled();
  });
});
