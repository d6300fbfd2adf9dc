import { computed, nextTick, type Ref } from "vue";
import { Workbook, type CellRef, type Sheet } from "@cosheet/sheet";
import { useEditingStore, type EditMode } from "../stores/editing";
import { ARROWS } from "./keymap";
import type { Direction } from "./navigation";
import { useFormulaAssist } from "./useFormulaAssist";

export interface CellEditorOptions {
  sheet: () => Sheet;
  /** Bumped after every change to the document (the edited cell may have moved). */
  version: () => number;
  readOnly: () => boolean;
  /** The grid's active cell, which editing starts on. */
  active: () => CellRef;
  editor: Ref<HTMLTextAreaElement | null>;
  /** The grid's element, which takes the focus back when editing ends. */
  scroller: Ref<HTMLElement | null>;
  commit: (cell: CellRef, input: string) => void;
  notice: (message: string) => void;
  /** Moves the active cell a step (Enter, Tab, or an arrow while replacing). */
  /** Moves the active cell; `step`: by Tab or Enter (see SheetGrid's stepTo), not an arrow. */
  moveActive: (dir: Direction, step: boolean) => void;
}

/**
 * The grid's in-cell editor: the edit follows its cell by ids (a row inserted above moves it), a
 * commit names where the cell is now, and the editor's keys are its own.
 */
export function useCellEditor(o: CellEditorOptions) {
  const editing = useEditingStore();

  /** Where the cell being edited is now (null once its row or column is deleted). */
  const editCell = computed<CellRef | null>(() => {
    void o.version();
    const edit = editing.edit;
    return edit ? o.sheet().positionOfIds(edit) : null;
  });

  /** Starts editing the active cell, in the cell's editor unless `inPlace` is false (the formula bar). */
  function beginEdit(mode: EditMode, draft?: string, inPlace = true): void {
    if (o.readOnly()) return;
    const { row, col } = o.active();
    const ids = o.sheet().idsAt(row, col);
    if (!ids) return;
    const original = o.sheet().getInput(row, col);
    editing.begin(ids.rowId, ids.colId, original, draft ?? original, mode);
    if (!inPlace) return;
    void nextTick(() => {
      const el = o.editor.value;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  }

  function commitEdit(then?: Direction, step = true): void {
    const cell = editCell.value;
    const done = editing.finish();
    if (done && !cell) o.notice("The cell you were editing was deleted by someone else; your text was not saved.");
    else if (done && cell && done.draft !== done.original) o.commit(cell, done.draft);
    if (then) o.moveActive(then, step);
    o.scroller.value?.focus();
  }

  function cancelEdit(): void {
    editing.finish();
    o.scroller.value?.focus();
  }

  const assist = useFormulaAssist(o.editor, () =>
    Workbook.of(o.sheet().doc)
      .list()
      .filter((t) => t.id !== o.sheet().tab)
      .map((t) => t.name),
  );

  function onEditorKeydown(e: KeyboardEvent): void {
    // The editor's keys are its own: the grid must not act on them again.
    e.stopPropagation();
    const edit = editing.edit;
    if (!edit) return;
    if (assist.onKeydown(e)) {
      e.preventDefault();
      return;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      cancelEdit();
    } else if (e.key === "Enter" && e.altKey) {
      // Alt+Enter (Option+Enter on a Mac): a line break in the cell, as in Excel.
      e.preventDefault();
      const el = e.target as HTMLTextAreaElement;
      el.setRangeText("\n", el.selectionStart, el.selectionEnd, "end");
      editing.setDraft(el.value);
    } else if (e.key === "Enter") {
      e.preventDefault();
      commitEdit(e.shiftKey ? "up" : "down");
    } else if (e.key === "Tab") {
      e.preventDefault();
      commitEdit(e.shiftKey ? "left" : "right");
    } else if (edit.mode === "replace" && ARROWS[e.key]) {
      e.preventDefault();
      commitEdit(ARROWS[e.key], false);
    }
  }

  return { editCell, beginEdit, commitEdit, cancelEdit, assist, onEditorKeydown };
}
