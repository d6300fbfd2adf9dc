import { defineStore } from "pinia";
import { ref } from "vue";

/**
 * `replace`: typing started the edit, arrow keys commit and move (as in a spreadsheet's entry
 * mode). `edit`: F2, double-click or the formula bar, arrow keys move the caret.
 */
export type EditMode = "replace" | "edit";

export interface EditState {
  /** The cell by ids, so rows or columns inserted or deleted meanwhile do not move the edit. */
  rowId: string;
  colId: string;
  /** The cell's input when the edit began. */
  original: string;
  draft: string;
  mode: EditMode;
  /** Someone else changed this cell while it was being edited; the draft is kept. */
  changedUnderneath: boolean;
}

export const useEditingStore = defineStore("editing", () => {
  const edit = ref<EditState | null>(null);
  /** Where the caret is in the draft, in whichever input (cell editor or formula bar) has it. */
  const caret = ref(0);

  function begin(rowId: string, colId: string, original: string, draft: string, mode: EditMode): void {
    edit.value = { rowId, colId, original, draft, mode, changedUnderneath: false };
    caret.value = draft.length;
  }

  function setDraft(draft: string): void {
    if (edit.value) edit.value.draft = draft;
  }

  function markChangedUnderneath(): void {
    if (edit.value) edit.value.changedUnderneath = true;
  }

  /** Ends the edit and returns it (null if none). */
  function finish(): EditState | null {
    const done = edit.value;
    edit.value = null;
    return done;
  }

  return { edit, caret, begin, setDraft, markChangedUnderneath, finish };
});
