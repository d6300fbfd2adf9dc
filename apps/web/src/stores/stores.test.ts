import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it } from "vitest";
import { useEditingStore } from "./editing";
import { useSelectionStore } from "./selection";

beforeEach(() => setActivePinia(createPinia()));

describe("selection store", () => {
  it("moves, extends with an anchor, and fits a shrinking sheet", () => {
    const s = useSelectionStore();
    s.select({ row: 2, col: 1 });
    s.select({ row: 5, col: 3 }, true);
    expect(s.range).toEqual({ start: { row: 2, col: 1 }, end: { row: 5, col: 3 } });
    s.select({ row: 1, col: 1 });
    expect(s.range).toEqual({ start: { row: 1, col: 1 }, end: { row: 1, col: 1 } });
    s.selectRange({ row: 0, col: 0 }, { row: 99, col: 9 });
    s.fit({ rows: 10, cols: 5 });
    expect(s.range.end).toEqual({ row: 9, col: 4 });
  });
});

describe("editing store", () => {
  it("keeps the draft when the cell changes underneath, and ends cleanly", () => {
    const e = useEditingStore();
    e.begin("r1", "c1", "old", "n", "replace");
    e.setDraft("new");
    e.markChangedUnderneath();
    expect(e.edit).toMatchObject({ draft: "new", original: "old", changedUnderneath: true });
    expect(e.finish()?.draft).toBe("new");
    expect(e.edit).toBeNull();
    e.markChangedUnderneath();
    expect(e.edit).toBeNull();
  });
});
