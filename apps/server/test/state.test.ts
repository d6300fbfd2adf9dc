import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { initSheet } from "@cosheet/sheet";
import { packState, unpackState } from "../src/storage/state.js";

describe("a stored state", () => {
  it("packs several updates into one blob and unpacks them in order; one update stays as it is", () => {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 3, cols: 3 });
    const one = Y.encodeStateAsUpdate(doc);
    const parts = [one, new Uint8Array([0, 0]), new Uint8Array([1, 2, 3])];
    expect(unpackState(packState(parts))).toEqual(parts);
    expect(packState([one])).toBe(one);
    // Every update a previous release stored reads as itself: the empty update too.
    expect(unpackState(one)).toEqual([one]);
    expect(unpackState(new Uint8Array([0, 0]))).toEqual([new Uint8Array([0, 0])]);
    expect(unpackState(Y.encodeStateAsUpdate(new Y.Doc()))).toEqual([Y.encodeStateAsUpdate(new Y.Doc())]);
  });
});
