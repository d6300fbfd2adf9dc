import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { replicas } from "@cosheet/sheet/testing";
import type { Sheet } from "@cosheet/sheet";
import { undoStep } from "./undo";

const MINE = { user: "local" };

/** Two replicas that deliver every update to each other at once, and an undo manager for the first. */
function twoPeople() {
  const [ada, bob] = replicas(2, { rows: 10, cols: 5 }) as [Sheet, Sheet];
  ada.doc.on("update", (u: Uint8Array, origin: unknown) => origin !== "net" && Y.applyUpdate(bob.doc, u, "net"));
  bob.doc.on("update", (u: Uint8Array, origin: unknown) => origin !== "net" && Y.applyUpdate(ada.doc, u, "net"));
  const { rows, cols, cells, styles } = ada.types;
  const undo = new Y.UndoManager([rows, cols, cells, styles], { trackedOrigins: new Set([MINE]), captureTimeout: 0 });
  return { ada, bob, undo };
}

describe("undo", () => {
  it("skips, and says so, a step someone else has overwritten, instead of undoing an older one", () => {
    const { ada, bob, undo } = twoPeople();
    ada.setCellsA1({ A1: "first" }, MINE);
    ada.setCellsA1({ B2: "mine" }, MINE);
    bob.setCellsA1({ B2: "bob's" });
    expect(undoStep(ada, undo, "undo")).toEqual({ kind: "skipped", cells: [{ row: 1, col: 1 }] });
    expect(ada.toA1Record()).toEqual({ A1: "first", B2: "bob's" });
    // The next undo is the older step, on its own.
    expect(undoStep(ada, undo, "undo")).toEqual({ kind: "done", range: { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } } });
    expect(ada.toA1Record()).toEqual({ B2: "bob's" });
    expect(undoStep(ada, undo, "undo")).toEqual({ kind: "nothing" });
    // Redo puts back what was undone, and selects it.
    expect(undoStep(ada, undo, "redo")).toEqual({ kind: "done", range: { start: { row: 0, col: 0 }, end: { row: 0, col: 0 } } });
    expect(bob.toA1Record()).toEqual({ A1: "first", B2: "bob's" });
  });

  it("selects what it changed: the span of a paste, the rows of a delete it puts back", () => {
    const { ada, bob, undo } = twoPeople();
    ada.setCellsA1({ B3: "1", D5: "2", C4: "3" }, MINE);
    ada.insertRows(0, 1, MINE);
    expect(undoStep(ada, undo, "undo")).toEqual({ kind: "done", range: { start: { row: 0, col: 0 }, end: { row: 0, col: 4 } } });
    expect(undoStep(ada, undo, "undo")).toEqual({ kind: "done", range: { start: { row: 2, col: 1 }, end: { row: 4, col: 3 } } });
    ada.setCellsA1({ A7: "keep" }, MINE);
    ada.deleteRows(5, 3, MINE);
    bob.insertRows(0, 2);
    // The rows come back below Bob's two new ones: rows 8 to 10, selected whole.
    expect(undoStep(ada, undo, "undo")).toEqual({ kind: "done", range: { start: { row: 7, col: 0 }, end: { row: 9, col: 4 } } });
    expect(ada.getInput(8, 0)).toBe("keep");
  });

  it("undoes the parts of a step nobody overwrote, and keeps the others' changes", () => {
    const { ada, bob, undo } = twoPeople();
    ada.setCellsA1({ A1: "a", A2: "b" }, MINE);
    bob.setCellsA1({ A2: "bob's" });
    expect(undoStep(ada, undo, "undo").kind).toBe("done");
    expect(bob.toA1Record()).toEqual({ A2: "bob's" });
  });
});
