import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { UpdateError, validateUpdate } from "./update.js";
import { replicas } from "./testing.js";

describe("validateUpdate", () => {
  it("accepts a sheet's own updates", () => {
    const [sheet] = replicas(1);
    const updates: Uint8Array[] = [];
    sheet!.doc.on("update", (u: Uint8Array) => updates.push(u));
    sheet!.setCellsA1({ A1: "x" });
    sheet!.insertRows(0, 2);
    expect(updates).toHaveLength(2);
    for (const u of updates) expect(() => validateUpdate(u)).not.toThrow();
    expect(() => validateUpdate(Y.encodeStateAsUpdate(sheet!.doc))).not.toThrow();
  });

  it("refuses garbage and foreign shared types", () => {
    expect(() => validateUpdate(new Uint8Array([1, 2, 3, 250, 255, 7]))).toThrow(UpdateError);
    const doc = new Y.Doc();
    doc.getMap("evil").set("k", "v");
    expect(() => validateUpdate(Y.encodeStateAsUpdate(doc))).toThrow(/unknown shared type/);
  });
});
