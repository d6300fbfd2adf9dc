import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { Axis } from "./axis.js";
import { prng } from "./testing.js";

describe("Axis", () => {
  it("finds every id at its index through random appends, inserts and deletes, local and remote", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed);
      const doc = new Y.Doc();
      const other = new Y.Doc();
      const axis = new Axis(doc.getArray<string>("rows"));
      const remote = new Axis(other.getArray<string>("rows"));
      other.on("update", (u: Uint8Array) => Y.applyUpdate(doc, u));
      for (let step = 0; step < 60; step++) {
        const target = rand() < 0.5 ? axis : remote;
        const n = 1 + Math.floor(rand() * 5);
        const pick = rand();
        const at = Math.floor(rand() * target.length);
        target.array.doc!.transact(() => {
          if (pick < 0.5 || target.length === 0) target.growTo(target.length + n);
          else if (pick < 0.75) target.insert(at, n);
          else target.delete(at, Math.min(n, target.length - at));
        });
        const ids = axis.list();
        expect(ids).toEqual(doc.getArray<string>("rows").toArray());
        // Read between changes, so that the index is extended or rebuilt each time.
        expect(ids.map((id) => axis.indexOf(id)), `seed ${seed}, step ${step}`).toEqual(ids.map((_, i) => i));
        expect(axis.indexOf("gone")).toBe(-1);
      }
    }
  }, 30_000);

  it("extends its index when ids are added at the end, and forgets those deleted", () => {
    const doc = new Y.Doc();
    const axis = new Axis(doc.getArray<string>("rows"));
    axis.growTo(3);
    const [a, b, c] = axis.list();
    expect(axis.indexOf(c!)).toBe(2);
    axis.growTo(5);
    expect(axis.indexOf(axis.list()[4]!)).toBe(4);
    expect(axis.indexOf(a!)).toBe(0);
    axis.delete(0, 1);
    expect(axis.indexOf(a!)).toBe(-1);
    expect(axis.indexOf(b!)).toBe(0);
  });

  it("counts an id held twice (two moves at once) where it first is, and deletes every copy of it", () => {
    const doc = new Y.Doc();
    const axis = new Axis(doc.getArray<string>("rows"));
    axis.array.push(["a", "b", "c", "b", "a", "d"]);
    expect(axis.list()).toEqual(["a", "b", "c", "d"]);
    expect(axis.length).toBe(4);
    expect(axis.indexOf("d")).toBe(3);
    const [fresh] = axis.insert(3, 1); // before "d", which is at 5 in the array
    expect(axis.list()).toEqual(["a", "b", "c", fresh, "d"]);
    axis.delete(0, 2);
    expect(axis.array.toArray()).toEqual(["c", fresh, "d"]);
    expect(axis.list()).toEqual(["c", fresh, "d"]);
  });

  it("reorders ids by deleting and inserting only the stretch that moves, and refuses other ids", () => {
    const doc = new Y.Doc();
    const axis = new Axis(doc.getArray<string>("rows"));
    axis.array.push(["a", "b", "c", "d", "e"]);
    const changes: unknown[] = [];
    axis.array.observe((e) => changes.push(e.changes.delta));
    doc.transact(() => axis.reorder(1, ["d", "c", "b"]));
    expect(axis.list()).toEqual(["a", "d", "c", "b", "e"]);
    expect(changes).toEqual([[{ retain: 1 }, { insert: ["d", "c", "b"] }, { delete: 3 }]]);
    axis.reorder(0, ["a", "d"]);
    expect(changes).toHaveLength(1);
    expect(() => axis.reorder(0, ["a", "e"])).toThrow();
    expect(() => axis.reorder(0, ["a", "a"])).toThrow();
  });
});
