// @vitest-environment happy-dom
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ref } from "vue";
import * as Y from "yjs";
import { initSheet, Sheet, type CellRef } from "@cosheet/sheet";
import { useEditingStore } from "../stores/editing";
import { useCellEditor } from "./useCellEditor";

function setup(readOnly = false) {
  const doc = new Y.Doc();
  initSheet(doc, { rows: 10, cols: 5 });
  const sheet = Sheet.of(doc);
  sheet.setCellsA1({ B2: "before" });
  const version = ref(0);
  doc.on("update", () => version.value++);
  const active = ref<CellRef>({ row: 1, col: 1 });
  const calls = { commit: vi.fn(), notice: vi.fn(), moveActive: vi.fn() };
  const editor = useCellEditor({
    sheet: () => sheet,
    version: () => version.value,
    readOnly: () => readOnly,
    active: () => active.value,
    editor: ref(null),
    scroller: ref(null),
    ...calls,
  });
  return { sheet, editor, calls, editing: useEditingStore() };
}

const key = (k: string, more: Partial<KeyboardEventInit> = {}) => new KeyboardEvent("keydown", { key: k, ...more });

beforeEach(() => setActivePinia(createPinia()));

describe("the cell editor", () => {
  it("follows its cell when a row is inserted above it, and commits where the cell is now", () => {
    const { sheet, editor, calls, editing } = setup();
    editor.beginEdit("edit");
    expect(editing.edit?.draft).toBe("before");
    editing.setDraft("after");
    expect(editor.editCell.value).toEqual({ row: 1, col: 1 });
    sheet.insertRows(0, 2);
    expect(editor.editCell.value).toEqual({ row: 3, col: 1 });
    editor.onEditorKeydown(key("Enter"));
    expect(calls.commit).toHaveBeenCalledWith({ row: 3, col: 1 }, "after");
    expect(calls.moveActive).toHaveBeenCalledWith("down", true);
    expect(editing.edit).toBeNull();
  });

  it("says so, and writes nothing, when someone deletes the row being edited", () => {
    const { sheet, editor, calls, editing } = setup();
    editor.beginEdit("replace", "typed");
    expect(editor.editCell.value).toEqual({ row: 1, col: 1 });
    sheet.deleteRows(1, 1);
    expect(editor.editCell.value).toBeNull();
    editor.commitEdit();
    expect(calls.commit).not.toHaveBeenCalled();
    expect(calls.notice).toHaveBeenCalledWith(expect.stringContaining("deleted by someone else"));
    expect(editing.edit).toBeNull();
  });

  it("keeps its keys: Escape cancels, Tab and arrows (while replacing) commit and move", () => {
    const { editor, calls, editing } = setup();
    editor.beginEdit("replace", "x");
    const escape = key("Escape");
    editor.onEditorKeydown(escape);
    expect(editing.edit).toBeNull();
    expect(calls.commit).not.toHaveBeenCalled();

    editor.beginEdit("replace", "x");
    editor.onEditorKeydown(key("ArrowRight"));
    expect(calls.commit).toHaveBeenLastCalledWith({ row: 1, col: 1 }, "x");
    // An arrow while replacing is not a Tab: it does not start a run of Tabs (see SheetGrid's stepTo).
    expect(calls.moveActive).toHaveBeenLastCalledWith("right", false);

    // Editing (not replacing), an arrow moves the caret: nothing is committed.
    editor.beginEdit("edit");
    editor.onEditorKeydown(key("ArrowRight"));
    expect(editing.edit).not.toBeNull();
    editor.onEditorKeydown(key("Tab", { shiftKey: true }));
    expect(calls.moveActive).toHaveBeenLastCalledWith("left", true);
    // Unchanged: nothing to write.
    expect(calls.commit).toHaveBeenCalledTimes(1);
  });

  it("starts no edit on a read-only grid", () => {
    const { editor, editing } = setup(true);
    editor.beginEdit("edit");
    expect(editing.edit).toBeNull();
  });
});
