import * as Y from "yjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { effectScope, nextTick, ref } from "vue";
import { initSheet, Sheet } from "@cosheet/sheet";
import { matchOrdinal, stepMatch, useFind } from "./useFind";

const at = (row: number, col: number) => ({ row, col });

describe("stepping through matches", () => {
  const matches = [at(0, 3), at(2, 0), at(2, 4), at(9, 1)];

  it("goes to the next match after a cell, or the one before, wrapping at the ends", () => {
    expect(stepMatch(matches, at(0, 0), 1)).toEqual(at(0, 3));
    expect(stepMatch(matches, at(2, 0), 1)).toEqual(at(2, 4));
    expect(stepMatch(matches, at(2, 1), 1)).toEqual(at(2, 4));
    expect(stepMatch(matches, at(9, 1), 1)).toEqual(at(0, 3));
    expect(stepMatch(matches, at(2, 4), -1)).toEqual(at(2, 0));
    expect(stepMatch(matches, at(0, 3), -1)).toEqual(at(9, 1));
    expect(stepMatch(matches, at(5, 5), -1)).toEqual(at(2, 4));
    expect(stepMatch([], at(0, 0), 1)).toBeNull();
  });

  it("says which match a cell is", () => {
    expect(matches.map((m) => matchOrdinal(matches, m))).toEqual([1, 2, 3, 4]);
    expect(matchOrdinal(matches, at(2, 1))).toBe(0);
  });
});

describe("useFind", () => {
  afterEach(() => vi.useRealTimers());

  it("searches once typing settles and again as the sheet changes, and replaces as one change", async () => {
    vi.useFakeTimers();
    const doc = new Y.Doc();
    initSheet(doc, { rows: 10, cols: 3 });
    const sheet = Sheet.of(doc);
    sheet.setCellsA1({ A1: "plum", B5: "Plum jam", C9: "pear" });
    const version = ref(0);
    const scope = effectScope();
    const find = scope.run(() => useFind(() => sheet, version))!;
    find.open.value = "replace";
    find.query.value = "plum";
    await nextTick();
    expect(find.count.value).toBe(0); // not yet: typing has not settled
    vi.advanceTimersByTime(200);
    expect(find.matches.value).toEqual([at(0, 0), at(4, 1)]);

    sheet.setCellsA1({ C9: "plums" });
    version.value++;
    await nextTick();
    vi.advanceTimersByTime(200);
    expect(find.count.value).toBe(3);
    // A step searches at once, whatever has not settled.
    find.query.value = "pear";
    expect(find.step(at(0, 0), 1)).toBeNull();
    find.query.value = "plum";
    expect(find.step(at(0, 0), 1)).toEqual(at(4, 1));

    find.replacement.value = "fig";
    expect(find.replaceOne(sheet, at(1, 1), "me")).toBe(false); // not a match
    expect(find.replaceOne(sheet, at(4, 1), "me")).toBe(true);
    expect(sheet.getInput(4, 1)).toBe("fig jam");
    expect(find.replaceAll(sheet, "me")).toEqual({ changed: 2, matched: 2 });
    expect(sheet.toA1Record()).toEqual({ A1: "fig", B5: "fig jam", C9: "figs" });
    expect(find.count.value).toBe(0);

    find.query.value = "x".repeat(1001);
    expect(find.step(at(0, 0), 1)).toBeNull();
    expect(find.error.value).toMatch(/search for 1 to 1000 characters/);
    scope.stop();
  });
});
