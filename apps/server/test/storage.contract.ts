import { createHash, randomBytes } from "node:crypto";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { LIMITS, stateInParts } from "@cosheet/protocol";
import { initSheet, randomId, Sheet } from "@cosheet/sheet";
import {
  SheetExistsError,
  UnknownSheetError,
  type KeptState,
  type NewSheetAccess,
  type Storage,
  type StoredLink,
  type StoredUpdateMeta,
  type StoredVersion,
  type UpdateMeta,
} from "../src/storage/storage.js";
import { packState } from "../src/storage/state.js";

/** An id as the server makes one (the registry's newSheetId). */
function newSheetId(): string {
  return randomId(LIMITS.sheetIdLength);
}

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

/** What a user sees of a sheet: its cells, and its rows and columns (by id, so their order counts). */
function contentOf(updates: Uint8Array[]) {
  const sheet = Sheet.of(docFrom(updates));
  const ids = (n: number, at: (i: number) => string | undefined) => Array.from({ length: n }, (_, i) => at(i));
  return {
    cells: sheet.toA1Record(),
    rows: ids(sheet.rowCount, (r) => sheet.idsAt(r, 0)?.rowId),
    cols: ids(sheet.colCount, (c) => sheet.idsAt(0, c)?.colId),
  };
}

/** The state through the updates given, as a checkpoint or a kept state holds it. */
function stateOf(updates: Uint8Array[]): Uint8Array {
  return Y.encodeStateAsUpdate(docFrom(updates));
}

const NO_ACCESS: NewSheetAccess = { plainAddress: false, links: [] };

function meta(fields: Partial<UpdateMeta> = {}): UpdateMeta {
  return { at: Date.now(), author: "Ann", linkId: null, via: "socket", cells: 1, discussion: false, ...fields };
}

/** A link as the server makes one: a random id, and the SHA-256 of a random secret. */
function newLink(sheetId: string, fields: Partial<StoredLink> = {}): StoredLink {
  return {
    id: randomBytes(12).toString("base64url"),
    sheetId,
    secretHash: createHash("sha256").update(randomBytes(24)).digest("hex"),
    role: "edit",
    label: "a link",
    createdAt: Date.now(),
    expiresAt: null,
    lastUsedAt: null,
    ...fields,
  };
}

/** The update one change of `doc` makes (a change must make exactly one). */
function updateOf(doc: Y.Doc, change: (sheet: Sheet) => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const on = (u: Uint8Array) => updates.push(u);
  doc.on("update", on);
  change(Sheet.of(doc));
  doc.off("update", on);
  expect(updates).toHaveLength(1);
  return updates[0]!;
}

/** The i-th edit of a sheet's history: mostly single cells, some rows inserted, moved and cleared. */
function nthEdit(i: number): (sheet: Sheet) => void {
  if (i % 7 === 3) return (s) => s.insertRows(1, 1);
  if (i % 7 === 6) return (s) => s.deleteRows(0, 1);
  if (i % 5 === 4) {
    return (s) => {
      const filled = Object.keys(s.toA1Record())[0];
      s.setCellsA1(filled === undefined ? { C5: "refilled" } : { [filled]: "" });
    };
  }
  return (s) => s.setCellsA1({ [`${"ABC"[i % 3]}${1 + (i % 4)}`]: `v${i}` });
}

/** The contract every storage adapter must meet. */
export function storageContract(name: string, make: () => Promise<{ storage: Storage; reopen?: () => Promise<Storage> }>) {
  describe(`storage contract: ${name}`, () => {
    async function newSheet(storage: Storage, access: (id: string) => NewSheetAccess = () => NO_ACCESS) {
      const id = newSheetId();
      const doc = new Y.Doc();
      initSheet(doc, { title: "t", rows: 5, cols: 3 });
      await storage.create(id, Y.encodeStateAsUpdate(doc), access(id));
      return { id, doc };
    }

    /**
     * A sheet with `edits` appended one at a time after its initial state (so its last seq is
     * edits + 1), each with its own meta; returns the metas by seq (seq 1's is not known here).
     */
    async function sheetWithHistory(storage: Storage, edits: number) {
      const { id, doc } = await newSheet(storage);
      const metas = new Map<number, UpdateMeta>();
      for (let i = 0; i < edits; i++) {
        const m = meta({ at: 1_000_000 + i * 1_000, author: `author ${i % 3}`, linkId: i % 2 ? "link1" : null });
        const seq = await storage.append(id, updateOf(doc, nthEdit(i)), m);
        expect(seq).toBe(i + 2);
        metas.set(seq, m);
      }
      return { id, doc, metas, lastSeq: edits + 1 };
    }

    /** The sheet's content through each seq, by replaying its whole log up to it. */
    async function replays(storage: Storage, id: string, lastSeq: number) {
      const log = (await storage.log(id, 0, lastSeq)).map((u) => u.data);
      expect(log).toHaveLength(lastSeq);
      return Array.from({ length: lastSeq + 1 }, (_, seq) => (seq === 0 ? null : contentOf(log.slice(0, seq))));
    }

    async function contentAt(storage: Storage, id: string, seq: number) {
      const updates = await storage.stateAt(id, seq);
      return updates === null ? null : contentOf(updates);
    }

    it("creates, loads and knows unknown sheets", async () => {
      const { storage } = await make();
      const before = Date.now();
      const { id } = await newSheet(storage);
      const stored = await storage.load(id);
      expect(stored?.updates).toHaveLength(1);
      expect(stored?.lastSeq).toBe(1);
      expect(Sheet.of(docFrom(stored!.updates)).rowCount).toBe(5);
      // The initial update is seq 1, from the server.
      const history = await storage.history(id);
      expect(history).toEqual({
        updates: [{ seq: 1, at: expect.any(Number), author: "", linkId: null, via: "server", cells: 0, discussion: false }],
        kept: [],
      });
      expect(history!.updates[0]!.at).toBeGreaterThanOrEqual(before);
      expect(history!.updates[0]!.at).toBeLessThanOrEqual(Date.now());
      expect((await storage.log(id, 0, 1))[0]!.data).toEqual(stored!.updates[0]);

      const unknown = newSheetId();
      expect(await storage.load(unknown)).toBeNull();
      expect(await storage.history(unknown)).toBeNull();
      expect(await storage.stateAt(unknown, 1)).toBeNull();
      expect(await storage.log(unknown, 0, 10)).toEqual([]);
      expect(await storage.listVersions(unknown)).toEqual([]);
      await expect(storage.append(unknown, stored!.updates[0]!, meta())).rejects.toBeInstanceOf(UnknownSheetError);
      await expect(storage.checkpoint(unknown, stored!.updates[0]!, 1)).rejects.toBeInstanceOf(UnknownSheetError);
      const base: KeptState = { seq: 1, at: 1, state: stored!.updates[0]! };
      await expect(storage.prune(unknown, base, [])).rejects.toBeInstanceOf(UnknownSheetError);
      await expect(storage.create(id, new Uint8Array([0, 0]), NO_ACCESS)).rejects.toBeInstanceOf(SheetExistsError);
      await storage.close();
    });

    it("appends concurrently, in order, with increasing sequence numbers (group commit)", async () => {
      const { storage } = await make();
      const { id, doc } = await newSheet(storage);
      const { id: other, doc: otherDoc } = await newSheet(storage);
      const sheet = Sheet.of(doc);
      const updates: Uint8Array[] = [];
      doc.on("update", (u: Uint8Array) => updates.push(u));
      for (let i = 0; i < 20; i++) sheet.setCellsA1({ [`A${i + 1}`]: String(i) });
      const otherUpdates = [0, 1, 2].map((i) => updateOf(otherDoc, (s) => s.setCellsA1({ B1: `o${i}` })));
      const metas = updates.map((_, i) => meta({ at: 5_000 + i, author: `writer ${i % 4}`, cells: i }));

      // All in one event-loop turn, two sheets interleaved, with an unknown sheet and a meta that
      // cannot be stored among them: those two fail alone.
      const results = await Promise.allSettled([
        ...updates.flatMap((u, i) => [
          storage.append(id, u, metas[i]!),
          ...(i < 3 ? [storage.append(other, otherUpdates[i]!, meta({ via: "http" }))] : []),
          ...(i === 5 ? [storage.append(newSheetId(), u, meta())] : []),
          ...(i === 9 ? [storage.append(id, u, meta({ via: "carrier pigeon" as never }))] : []),
        ]),
      ]);
      const rejected = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
      expect(rejected).toHaveLength(2);
      expect(rejected.filter((e) => e instanceof UnknownSheetError)).toHaveLength(1);
      const seqs = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      expect(seqs).toEqual([2, 2, 3, 3, 4, 4, ...Array.from({ length: 17 }, (_, i) => i + 5)]);

      const stored = await storage.load(id);
      expect(stored!.lastSeq).toBe(21);
      expect(Sheet.of(docFrom(stored!.updates)).toA1Record()).toEqual(sheet.toA1Record());
      expect((await storage.history(id))!.updates.slice(1)).toEqual(metas.map((m, i) => ({ ...m, seq: i + 2 })));
      expect(Sheet.of(docFrom((await storage.load(other))!.updates)).toA1Record()).toEqual({ B1: "o2" });
      expect((await storage.history(other))!.updates.map((u) => [u.seq, u.via])).toEqual([
        [1, "server"],
        [2, "http"],
        [3, "http"],
        [4, "http"],
      ]);

      // The next turn's appends go on from there.
      const later = await Promise.all([0, 1].map((i) => storage.append(id, updates[i]!, meta())));
      expect(later).toEqual([22, 23]);
      await storage.close();
    });

    it("tells the head of each sheet asked about that exists: its last seq, its plain address and its links", async () => {
      const { storage } = await make();
      const { id: a } = await sheetWithHistory(storage, 3);
      const links = ["zz", "aa", "mm"].map((id) => newLink(a, { id: `${id}${"x".repeat(10)}` }));
      for (const link of links) await storage.addLink(link);
      const { id: b } = await newSheet(storage);
      expect(await storage.heads([])).toEqual(new Map());
      const sorted = links.map((l) => l.id).sort();
      expect(await storage.heads([a, newSheetId(), b])).toEqual(
        new Map([
          [a, { lastSeq: 4, plainAddress: false, links: sorted }],
          [b, { lastSeq: 1, plainAddress: false, links: [] }],
        ]),
      );
      await storage.append(b, new Uint8Array([0, 0]), meta());
      await storage.setPlainAddress(b, true);
      await storage.removeLink(a, links[1]!.id);
      expect(await storage.heads([a, b])).toEqual(
        new Map([
          [a, { lastSeq: 4, plainAddress: false, links: sorted.filter((id) => id !== links[1]!.id) }],
          [b, { lastSeq: 2, plainAddress: true, links: [] }],
        ]),
      );
      await storage.close();
    });

    it("stores each update's meta and gives it back in the history and the log", async () => {
      const { storage } = await make();
      const { id, doc } = await newSheet(storage);
      const { id: other } = await newSheet(storage);
      const metas: UpdateMeta[] = [
        meta({ at: 1_700_000_000_001, author: "Ann", linkId: "linkA", via: "socket", cells: 1 }),
        meta({ at: 1_700_000_000_002, author: "Ann", linkId: "linkA", via: "socket", cells: 3 }),
        meta({ at: 1_700_000_000_003, author: "Ann", linkId: null, via: "socket", cells: 1 }),
        meta({ at: 1_700_000_000_003, author: "Ann", linkId: "linkA", via: "http", cells: 0, discussion: true }),
        meta({ at: 1_700_000_000_004, author: "", linkId: "linkB", via: "http", cells: 250 }),
        meta({ at: 1_700_000_000_005, author: "Zoë 山田 🙂", linkId: "linkB", via: "restore", cells: 12 }),
        meta({ at: 1_700_000_000_006, author: "", linkId: null, via: "server", cells: 0, discussion: true }),
        meta({ at: 1_700_000_000_007, author: "Ann", linkId: "linkA", via: "socket", cells: 1 }),
      ];
      const updates: Uint8Array[] = [];
      for (const [i, m] of metas.entries()) {
        const update = updateOf(doc, (s) => s.setCellsA1({ [`B${1 + (i % 5)}`]: `x${i}` }));
        updates.push(update);
        const passed = { ...m };
        expect(await storage.append(id, update, passed)).toBe(i + 2);
        // What was passed is copied.
        passed.author = "changed";
        passed.cells = 99;
      }
      // Another sheet with the same authors: its rows do not mix with this sheet's.
      await storage.append(other, updates[0]!, metas[0]!);

      const expected: StoredUpdateMeta[] = metas.map((m, i) => ({ ...m, seq: i + 2 }));
      const history = await storage.history(id);
      expect(history!.updates.slice(1)).toEqual(expected);
      expect(history!.kept).toEqual([]);
      const log = await storage.log(id, 0, 9);
      expect(log.map((u) => u.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(log.slice(1)).toEqual(expected.map((m, i) => ({ ...m, data: updates[i] })));
      expect(log[0]).toEqual({ ...history!.updates[0], data: (await storage.load(id))!.updates[0] });
      // Ranges: after one seq, through another.
      expect((await storage.log(id, 3, 6)).map((u) => u.seq)).toEqual([4, 5, 6]);
      expect(await storage.log(id, 4, 4)).toEqual([]);
      expect(await storage.log(id, 9, 20)).toEqual([]);
      expect((await storage.log(id, 7, 20)).map((u) => [u.seq, u.author])).toEqual([
        [8, ""],
        [9, "Ann"],
      ]);
      expect((await storage.history(other))!.updates.map((u) => u.seq)).toEqual([1, 2]);
      expect((await storage.history(other))!.updates[1]).toEqual({ ...metas[0], seq: 2 });

      // Meta that cannot be stored is refused, and nothing is stored.
      const bad: Partial<UpdateMeta>[] = [
        { via: "email" as never },
        { at: Number.NaN },
        { at: 1.5 },
        { cells: -1 },
        { cells: 0.5 },
        { author: null as never },
        { linkId: 7 as never },
        { discussion: "no" as never },
      ];
      for (const fields of bad) await expect(storage.append(id, updates[0]!, meta(fields))).rejects.toThrow();
      expect((await storage.load(id))!.lastSeq).toBe(9);
      expect((await storage.history(id))!.updates).toHaveLength(9);
      await storage.close();
    });

    it("loads a checkpoint packed in parts part by part, and tells them from the updates logged after it", async () => {
      const { storage } = await make();
      const { id, lastSeq } = await sheetWithHistory(storage, 8);
      const full = await replays(storage, id, lastSeq);
      expect((await storage.load(id))!.logged).toBe(lastSeq);
      const parts = [...stateInParts(docFrom((await storage.stateAt(id, 6))!), undefined, 1)];
      expect(parts.length).toBeGreaterThan(2);
      await storage.checkpoint(id, packState(parts), 6);
      const stored = (await storage.load(id))!;
      expect(stored.updates.slice(0, parts.length)).toEqual(parts);
      expect(stored.updates).toHaveLength(parts.length + lastSeq - 6);
      expect(stored.logged).toBe(lastSeq - 6);
      expect(contentOf(stored.updates)).toEqual(full[lastSeq]);
      expect(await storage.stateAt(id, 6)).toEqual(parts);
      expect(contentOf((await storage.stateAt(id, 7))!)).toEqual(full[7]);
    });

    it("loads from the latest checkpoint, the same as a full replay; a checkpoint replaces the last and deletes no update", async () => {
      const { storage } = await make();
      const { id, doc, lastSeq } = await sheetWithHistory(storage, 8);
      const full = await replays(storage, id, lastSeq);

      const at4 = (await storage.stateAt(id, 4))!;
      const state4 = stateOf(at4);
      await storage.checkpoint(id, state4, 4);
      let stored = await storage.load(id);
      expect(stored!.lastSeq).toBe(lastSeq);
      expect(stored!.updates).toHaveLength(1 + lastSeq - 4);
      expect(stored!.updates[0]).toEqual(state4);
      expect(contentOf(stored!.updates)).toEqual(full[lastSeq]);
      expect(contentOf(stored!.updates)).toEqual(contentOf([Y.encodeStateAsUpdate(doc)]));

      // A later checkpoint replaces it: loading and the states after it start from the new one.
      const state7 = stateOf((await storage.stateAt(id, 7))!);
      await storage.checkpoint(id, state7, 7);
      stored = await storage.load(id);
      expect(stored!.updates).toHaveLength(1 + lastSeq - 7);
      expect(stored!.updates[0]).toEqual(state7);
      expect(contentOf(stored!.updates)).toEqual(full[lastSeq]);
      // The old one is gone: the state through 5 is the log's again.
      expect(await storage.stateAt(id, 5)).toHaveLength(5);

      // At the last seq: loading is the checkpoint alone; appends go on after it.
      const stateLast = stateOf(stored!.updates);
      await storage.checkpoint(id, stateLast, lastSeq);
      expect((await storage.load(id))!.updates).toEqual([stateLast]);
      const next = updateOf(doc, (s) => s.setCellsA1({ C5: "after" }));
      expect(await storage.append(id, next, meta())).toBe(lastSeq + 1);
      stored = await storage.load(id);
      expect(stored!.updates).toEqual([stateLast, next]);
      expect(contentOf(stored!.updates).cells).toEqual(Sheet.of(doc).toA1Record());

      // An older checkpoint replaces a newer one too (loading is then longer, and still right).
      await storage.checkpoint(id, state4, 4);
      stored = await storage.load(id);
      expect(stored!.updates).toHaveLength(1 + lastSeq + 1 - 4);
      expect(contentOf(stored!.updates).cells).toEqual(Sheet.of(doc).toA1Record());

      // No update was deleted: the history and the log have them all.
      const history = await storage.history(id);
      expect(history!.updates.map((u) => u.seq)).toEqual(Array.from({ length: lastSeq + 1 }, (_, i) => i + 1));
      expect(history!.kept).toEqual([]);
      expect(await storage.log(id, 0, lastSeq + 1)).toHaveLength(lastSeq + 1);

      // A checkpoint must be through a seq of the log.
      await expect(storage.checkpoint(id, state4, lastSeq + 2)).rejects.toThrow();
      await expect(storage.checkpoint(id, state4, 0)).rejects.toThrow();
      await storage.close();
    });

    it("gives the state at any seq, the same as replaying the log up to it, before, at and after checkpoints", async () => {
      const { storage } = await make();
      const { id, lastSeq } = await sheetWithHistory(storage, 12);
      const full = await replays(storage, id, lastSeq);
      const check = async () => {
        for (let seq = 1; seq <= lastSeq; seq++) expect(await contentAt(storage, id, seq), `seq ${seq}`).toEqual(full[seq]);
      };
      await check();
      // Without a checkpoint, the state at a seq is the log up to it.
      expect(await storage.stateAt(id, 6)).toEqual((await storage.log(id, 0, 6)).map((u) => u.data));

      const state5 = stateOf((await storage.stateAt(id, 5))!);
      await storage.checkpoint(id, state5, 5);
      await check();
      expect(await storage.stateAt(id, 5)).toEqual([state5]);
      expect(await storage.stateAt(id, 8)).toEqual([state5, ...(await storage.log(id, 5, 8)).map((u) => u.data)]);
      expect(await storage.stateAt(id, 4)).toEqual((await storage.log(id, 0, 4)).map((u) => u.data));

      await storage.checkpoint(id, stateOf((await storage.stateAt(id, lastSeq))!), lastSeq);
      await check();

      for (const seq of [0, -1, lastSeq + 1, 2.5, Number.NaN]) expect(await storage.stateAt(id, seq)).toBeNull();
      await storage.close();
    });

    it("prunes: keeps the base and the kept states, forgets the other old ones, and still loads", async () => {
      const { storage } = await make();
      const { id, doc, metas, lastSeq } = await sheetWithHistory(storage, 15);
      expect(lastSeq).toBe(16);
      const full = await replays(storage, id, lastSeq);
      await storage.checkpoint(id, stateOf((await storage.stateAt(id, 6))!), 6);
      const keptState = async (seq: number): Promise<KeptState> => ({
        seq,
        at: metas.get(seq)!.at,
        state: stateOf((await storage.stateAt(id, seq))!),
      });
      const base = await keptState(10);
      const kept = [await keptState(3), await keptState(7)];
      const state6 = stateOf((await storage.stateAt(id, 6))!);
      const historyBefore = await storage.history(id);

      // Invalid: a base past the log, kept states at or after the base, twice the same seq.
      await expect(storage.prune(id, { ...base, seq: lastSeq + 1 }, [])).rejects.toThrow();
      await expect(storage.prune(id, base, [{ ...kept[0]!, seq: 10 }])).rejects.toThrow();
      await expect(storage.prune(id, base, [{ ...kept[0]!, seq: 12 }])).rejects.toThrow();
      await expect(storage.prune(id, base, [kept[0]!, kept[0]!])).rejects.toThrow();
      expect(await storage.history(id)).toEqual(historyBefore);

      await storage.prune(id, base, kept);
      // The base and the kept states are states of their own.
      expect(await storage.stateAt(id, 10)).toEqual([base.state]);
      expect(await storage.stateAt(id, 3)).toEqual([kept[0]!.state]);
      expect(await storage.stateAt(id, 7)).toEqual([kept[1]!.state]);
      for (const seq of [3, 7, 10]) expect(await contentAt(storage, id, seq)).toEqual(full[seq]);
      // Other seqs before the base (the old checkpoint's too) are gone.
      for (const seq of [1, 2, 4, 5, 6, 8, 9]) expect(await storage.stateAt(id, seq), `seq ${seq}`).toBeNull();
      // After it, the log is intact.
      for (let seq = 11; seq <= lastSeq; seq++) expect(await contentAt(storage, id, seq)).toEqual(full[seq]);
      const history = await storage.history(id);
      expect(history!.updates).toEqual(historyBefore!.updates.filter((u) => u.seq > 10));
      expect(history!.kept).toEqual([
        { seq: 3, at: metas.get(3)!.at },
        { seq: 7, at: metas.get(7)!.at },
        { seq: 10, at: metas.get(10)!.at },
      ]);
      expect((await storage.log(id, 0, lastSeq)).map((u) => u.seq)).toEqual([11, 12, 13, 14, 15, 16]);
      expect(await storage.log(id, 0, 10)).toEqual([]);
      let stored = await storage.load(id);
      expect(stored!.lastSeq).toBe(lastSeq);
      expect(stored!.updates).toHaveLength(1 + lastSeq - 10);
      expect(contentOf(stored!.updates)).toEqual(full[lastSeq]);

      // Appends go on; a checkpoint from before the prune is too old to load from, and changes
      // nothing; a later one is used.
      const next = updateOf(doc, (s) => s.setCellsA1({ C1: "next" }));
      expect(await storage.append(id, next, meta())).toBe(17);
      await storage.checkpoint(id, state6, 6);
      expect(await storage.stateAt(id, 6)).toBeNull();
      expect((await storage.load(id))!.updates).toHaveLength(1 + 17 - 10);
      await storage.checkpoint(id, base.state, 10);
      expect((await storage.load(id))!.updates).toHaveLength(1 + 17 - 10);
      const state14 = stateOf((await storage.stateAt(id, 14))!);
      await storage.checkpoint(id, state14, 14);
      stored = await storage.load(id);
      expect(stored!.updates).toHaveLength(1 + 17 - 14);
      expect(contentOf(stored!.updates).cells).toEqual(Sheet.of(doc).toA1Record());

      // A later prune forgets the states it does not keep; its base may be the checkpoint's seq.
      await storage.prune(id, { seq: 14, at: metas.get(14)!.at, state: state14 }, [kept[1]!]);
      expect((await storage.history(id))!.kept).toEqual([
        { seq: 7, at: metas.get(7)!.at },
        { seq: 14, at: metas.get(14)!.at },
      ]);
      for (const seq of [3, 10, 11, 13]) expect(await storage.stateAt(id, seq)).toBeNull();
      expect(await contentAt(storage, id, 7)).toEqual(full[7]);
      expect(await storage.stateAt(id, 14)).toEqual([state14]);
      expect(await contentAt(storage, id, 16)).toEqual(full[16]);
      expect((await storage.history(id))!.updates.map((u) => u.seq)).toEqual([15, 16, 17]);
      stored = await storage.load(id);
      expect(stored!.updates).toEqual([state14, ...(await storage.log(id, 14, 17)).map((u) => u.data)]);
      expect(contentOf(stored!.updates).cells).toEqual(Sheet.of(doc).toA1Record());

      // Pruning through the last seq: the base alone.
      const stateLast = stateOf(stored!.updates);
      await storage.prune(id, { seq: 17, at: 17, state: stateLast }, []);
      expect(await storage.load(id)).toMatchObject({ updates: [stateLast], lastSeq: 17 });
      expect(await storage.history(id)).toEqual({ updates: [], kept: [{ seq: 17, at: 17 }] });
      expect(await storage.append(id, next, meta())).toBe(18);
      expect((await storage.load(id))!.updates).toEqual([stateLast, next]);
      await storage.close();
    });

    it("names versions, lists them oldest first and removes them", async () => {
      const { storage } = await make();
      const { id, lastSeq } = await sheetWithHistory(storage, 4);
      const { id: other } = await newSheet(storage);
      const version = (fields: Partial<StoredVersion>): StoredVersion => ({
        id: randomBytes(9).toString("base64url"),
        sheetId: id,
        seq: lastSeq,
        name: "a version",
        at: 1_000,
        author: "Ann",
        ...fields,
      });
      const late = version({ seq: 4, at: 3_000, name: "named late" });
      const early = version({ seq: 4, at: 2_000, name: "Entwurf 山田", author: "" });
      const first = version({ seq: 1, at: 9_000, name: "the start" });
      const last = version({ seq: 5, at: 1_000 });
      const sameTime = version({ seq: 5, at: 1_000, name: "added after" });
      for (const v of [late, early, last, first, sameTime]) await storage.addVersion(v);
      expect(await storage.listVersions(id)).toEqual([first, early, late, last, sameTime]);
      expect(await storage.listVersions(other)).toEqual([]);

      await expect(storage.addVersion(version({ sheetId: newSheetId() }))).rejects.toBeInstanceOf(UnknownSheetError);
      // Ids are unique across sheets; a version is of a seq in the log.
      await expect(storage.addVersion(version({ id: first.id, sheetId: other, seq: 1 }))).rejects.toThrow();
      await expect(storage.addVersion(version({ seq: lastSeq + 1 }))).rejects.toThrow();
      await expect(storage.addVersion(version({ seq: 0 }))).rejects.toThrow();
      expect(await storage.listVersions(other)).toEqual([]);

      expect(await storage.removeVersion(other, late.id)).toBe(false);
      expect(await storage.removeVersion(newSheetId(), late.id)).toBe(false);
      expect(await storage.removeVersion(id, "no such version")).toBe(false);
      expect(await storage.removeVersion(id, late.id)).toBe(true);
      expect(await storage.removeVersion(id, late.id)).toBe(false);
      expect(await storage.listVersions(id)).toEqual([first, early, last, sameTime]);

      // What was passed in, or came out, is copied.
      const listed = await storage.listVersions(id);
      listed[0]!.name = "changed";
      first.seq = 3;
      expect((await storage.listVersions(id))[0]).toEqual({ ...first, seq: 1 });
      await storage.close();
    });

    it("keeps its own copies of updates and states", async () => {
      const { storage } = await make();
      const { id, doc } = await newSheet(storage);
      const update = updateOf(doc, (s) => s.setCellsA1({ A1: "kept" }));
      const original = update.slice();
      await storage.append(id, update, meta());
      update.fill(0);
      const state = stateOf([Y.encodeStateAsUpdate(doc)]);
      const stateCopy = state.slice();
      await storage.checkpoint(id, state, 2);
      state.fill(0);
      (await storage.load(id))!.updates[0]!.fill(0);
      (await storage.log(id, 0, 2))[1]!.data.fill(0);
      (await storage.stateAt(id, 2))![0]!.fill(0);
      (await storage.history(id))!.updates[1]!.author = "changed";
      expect((await storage.log(id, 0, 2))[1]!.data).toEqual(original);
      expect((await storage.load(id))!.updates).toEqual([stateCopy]);
      expect((await storage.history(id))!.updates[1]!.author).toBe("Ann");

      const base = { seq: 2, at: 2, state: stateCopy.slice() };
      await storage.prune(id, base, []);
      base.state.fill(0);
      expect(await storage.stateAt(id, 2)).toEqual([stateCopy]);
      await storage.close();
    });

    it("keeps everything across a reopen", async () => {
      const { storage, reopen } = await make();
      if (!reopen) return;
      const { id, doc, metas, lastSeq } = await sheetWithHistory(storage, 12);
      const { id: plain, doc: plainDoc } = await newSheet(storage);
      const plainUpdate = updateOf(plainDoc, (s) => s.setCellsA1({ B2: "kept" }));
      await storage.append(plain, plainUpdate, meta({ author: "Bo", via: "http", linkId: "L" }));
      await storage.checkpoint(id, stateOf((await storage.stateAt(id, 5))!), 5);
      const kept = async (seq: number): Promise<KeptState> => ({
        seq,
        at: metas.get(seq)!.at,
        state: stateOf((await storage.stateAt(id, seq))!),
      });
      await storage.prune(id, await kept(8), [await kept(4)]);
      await storage.checkpoint(id, stateOf((await storage.stateAt(id, 11))!), 11);
      const v1: StoredVersion = { id: "v1", sheetId: id, seq: 4, name: "four", at: 10, author: "Ann" };
      const v2: StoredVersion = { id: "v2", sheetId: id, seq: 12, name: "twelve", at: 20, author: "Bo" };
      await storage.addVersion(v2);
      await storage.addVersion(v1);
      const everything = async (s: Storage) => ({
        load: await s.load(id),
        history: await s.history(id),
        log: await s.log(id, 0, lastSeq),
        states: await Promise.all(Array.from({ length: lastSeq + 1 }, (_, seq) => s.stateAt(id, seq))),
        versions: await s.listVersions(id),
        plainLoad: await s.load(plain),
        plainHistory: await s.history(plain),
      });
      const before = await everything(storage);
      expect(before.states.map((st) => st !== null)).toEqual(
        Array.from({ length: lastSeq + 1 }, (_, seq) => seq === 4 || seq >= 8),
      );
      await storage.close();

      const again = await reopen();
      expect(await everything(again)).toEqual(before);
      expect(Sheet.of(docFrom(before.plainLoad!.updates)).toA1Record()).toEqual({ B2: "kept" });
      expect(before.plainHistory!.updates[1]).toMatchObject({ author: "Bo", via: "http", linkId: "L" });
      // And goes on: the same authors as before, and new ones.
      const next = updateOf(doc, (s) => s.setCellsA1({ C3: "again" }));
      const m1 = meta({ author: "author 1", linkId: "link1", at: 99 });
      const m2 = meta({ author: "new", linkId: "link1", at: 100 });
      expect(await again.append(id, next, m1)).toBe(lastSeq + 1);
      expect(await again.append(id, next, m2)).toBe(lastSeq + 2);
      expect((await again.history(id))!.updates.slice(-3)).toEqual([
        { ...metas.get(lastSeq), seq: lastSeq },
        { ...m1, seq: lastSeq + 1 },
        { ...m2, seq: lastSeq + 2 },
      ]);
      expect(contentOf((await again.load(id))!.updates).cells).toEqual(Sheet.of(doc).toA1Record());
      expect(await again.removeVersion(id, "v1")).toBe(true);
      await again.close();
      const third = await reopen();
      expect(await third.listVersions(id)).toEqual([v2]);
      expect((await third.history(id))!.updates.at(-1)).toEqual({ ...m2, seq: lastSeq + 2 });
      await third.close();
    });

    it("keeps links and the plain address across a reopen", async () => {
      const { storage, reopen } = await make();
      if (!reopen) return;
      let owner!: StoredLink;
      const { id } = await newSheet(storage, (id) => {
        owner = newLink(id, { role: "owner", label: "owner", createdAt: 1_000 });
        return { plainAddress: false, links: [owner] };
      });
      const viewer = newLink(id, { role: "view", label: "for Ann", createdAt: 2_000, expiresAt: 9_000 });
      const removed = newLink(id, { createdAt: 3_000 });
      await storage.addLink(viewer);
      await storage.addLink(removed);
      await storage.removeLink(id, removed.id);
      await storage.touchLink(id, viewer.id, 4_000);
      const { id: open } = await newSheet(storage, () => ({ plainAddress: true, links: [] }));
      const { id: closed } = await newSheet(storage, () => ({ plainAddress: true, links: [] }));
      await storage.setPlainAddress(closed, false);
      await storage.close();

      const again = await reopen();
      expect(await again.listLinks(id)).toEqual([owner, { ...viewer, lastUsedAt: 4_000 }]);
      expect(await again.access(id, owner.secretHash)).toEqual({ plainAddress: false, link: owner });
      expect(await again.access(id, removed.secretHash)).toEqual({ plainAddress: false, link: null });
      expect(await again.access(open, null)).toEqual({ plainAddress: true, link: null });
      expect(await again.access(closed, null)).toEqual({ plainAddress: false, link: null });
      await again.close();
    });

    it("stores a new sheet's access and answers for a secret hash", async () => {
      const { storage } = await make();
      let owner!: StoredLink;
      const { id } = await newSheet(storage, (id) => {
        owner = newLink(id, { role: "owner", label: "owner" });
        return { plainAddress: false, links: [owner] };
      });
      const { id: other } = await newSheet(storage, () => ({ plainAddress: true, links: [] }));
      const otherLink = newLink(other);
      await storage.addLink(otherLink);

      expect(await storage.access(id, null)).toEqual({ plainAddress: false, link: null });
      expect(await storage.access(id, owner.secretHash)).toEqual({ plainAddress: false, link: owner });
      expect(await storage.listLinks(id)).toEqual([owner]);
      expect(await storage.access(other, null)).toEqual({ plainAddress: true, link: null });
      expect(await storage.access(other, otherLink.secretHash)).toEqual({ plainAddress: true, link: otherLink });
      // A hash nobody has, and a hash of another sheet's link, name no link of this sheet.
      expect(await storage.access(id, newLink(id).secretHash)).toEqual({ plainAddress: false, link: null });
      expect(await storage.access(id, otherLink.secretHash)).toEqual({ plainAddress: false, link: null });
      expect(await storage.access(other, owner.secretHash)).toEqual({ plainAddress: true, link: null });
      // An unknown sheet has no access at all, whatever the hash.
      expect(await storage.access(newSheetId(), null)).toBeNull();
      expect(await storage.access(newSheetId(), owner.secretHash)).toBeNull();
      await storage.close();
    });

    it("creates a sheet and its links atomically", async () => {
      const { storage } = await make();
      let owner!: StoredLink;
      const { id } = await newSheet(storage, (id) => {
        owner = newLink(id, { role: "owner" });
        return { plainAddress: false, links: [owner] };
      });

      // An existing id: no link is added to the sheet that has it, and its access is unchanged.
      const intruder = newLink(id, { role: "owner" });
      await expect(
        storage.create(id, new Uint8Array([0, 0]), { plainAddress: true, links: [intruder] }),
      ).rejects.toBeInstanceOf(SheetExistsError);
      expect(await storage.listLinks(id)).toEqual([owner]);
      expect(await storage.access(id, intruder.secretHash)).toEqual({ plainAddress: false, link: null });

      // A link that cannot be stored (its secret hash is another sheet's link's, or twice in the
      // create; its id is taken; it is for another sheet): no sheet, and none of its links.
      const fresh = newSheetId();
      const first = newLink(fresh);
      const attempts: StoredLink[][] = [
        [first, newLink(fresh, { secretHash: owner.secretHash })],
        [first, newLink(fresh, { secretHash: first.secretHash })],
        [first, newLink(fresh, { id: owner.id })],
        [first, newLink(newSheetId())],
      ];
      for (const links of attempts) {
        await expect(storage.create(fresh, new Uint8Array([0, 0]), { plainAddress: true, links })).rejects.toThrow();
        expect(await storage.load(fresh)).toBeNull();
        expect(await storage.access(fresh, null)).toBeNull();
        await expect(storage.listLinks(fresh)).rejects.toBeInstanceOf(UnknownSheetError);
      }
      expect(await storage.access(id, owner.secretHash)).toEqual({ plainAddress: false, link: owner });
      // The hash and id of a rejected create's link are still free.
      await storage.create(fresh, new Uint8Array([0, 0]), { plainAddress: true, links: [first] });
      expect(await storage.access(fresh, first.secretHash)).toEqual({ plainAddress: true, link: first });
      await storage.close();
    });

    it("adds, lists (oldest first) and removes links", async () => {
      const { storage } = await make();
      const { id } = await newSheet(storage);
      const { id: other } = await newSheet(storage);
      const second = newLink(id, { role: "comment", createdAt: 2_000, expiresAt: 5_000 });
      const third = newLink(id, { role: "view", createdAt: 3_000 });
      const first = newLink(id, { role: "owner", createdAt: 1_000 });
      const sameTime = newLink(id, { label: "added last", createdAt: 3_000 });
      for (const link of [second, third, first, sameTime]) await storage.addLink(link);
      expect(await storage.listLinks(id)).toEqual([first, second, third, sameTime]);
      expect(await storage.listLinks(other)).toEqual([]);

      await expect(storage.addLink(newLink(newSheetId()))).rejects.toBeInstanceOf(UnknownSheetError);
      await expect(storage.listLinks(newSheetId())).rejects.toBeInstanceOf(UnknownSheetError);
      // Secret hashes and link ids are unique across sheets.
      await expect(storage.addLink(newLink(other, { secretHash: first.secretHash }))).rejects.toThrow();
      await expect(storage.addLink(newLink(other, { id: first.id }))).rejects.toThrow();
      expect(await storage.listLinks(other)).toEqual([]);

      expect(await storage.removeLink(other, second.id)).toBe(false);
      expect(await storage.removeLink(newSheetId(), second.id)).toBe(false);
      expect(await storage.removeLink(id, second.id)).toBe(true);
      expect(await storage.removeLink(id, second.id)).toBe(false);
      expect(await storage.listLinks(id)).toEqual([first, third, sameTime]);
      expect(await storage.access(id, second.secretHash)).toEqual({ plainAddress: false, link: null });
      // A removed link's hash may be given to a new link.
      const reused = newLink(other, { secretHash: second.secretHash });
      await storage.addLink(reused);
      expect(await storage.access(other, second.secretHash)).toEqual({ plainAddress: false, link: reused });
      await storage.close();
    });

    it("records when a link was last used", async () => {
      const { storage } = await make();
      const { id } = await newSheet(storage);
      const { id: other } = await newSheet(storage);
      const link = newLink(id);
      const gone = newLink(id);
      await storage.addLink(link);
      await storage.addLink(gone);
      await storage.touchLink(id, link.id, 60_000);
      expect(await storage.access(id, link.secretHash)).toEqual({
        plainAddress: false,
        link: { ...link, lastUsedAt: 60_000 },
      });
      await storage.touchLink(id, link.id, 120_000);
      expect((await storage.listLinks(id))[0]).toEqual({ ...link, lastUsedAt: 120_000 });

      // No-ops: a removed link, another sheet's id, an unknown sheet, an unknown link.
      await storage.removeLink(id, gone.id);
      await storage.touchLink(id, gone.id, 180_000);
      await storage.touchLink(other, link.id, 180_000);
      await storage.touchLink(newSheetId(), link.id, 180_000);
      await storage.touchLink(id, "no such link", 180_000);
      expect(await storage.listLinks(id)).toEqual([{ ...link, lastUsedAt: 120_000 }]);
      expect(await storage.listLinks(other)).toEqual([]);
      expect(await storage.access(id, gone.secretHash)).toEqual({ plainAddress: false, link: null });
      await storage.close();
    });

    it("switches the plain address on and off", async () => {
      const { storage } = await make();
      const { id } = await newSheet(storage);
      const { id: other } = await newSheet(storage, () => ({ plainAddress: true, links: [] }));
      await storage.setPlainAddress(id, true);
      expect(await storage.access(id, null)).toEqual({ plainAddress: true, link: null });
      await storage.setPlainAddress(id, true);
      expect(await storage.access(id, null)).toEqual({ plainAddress: true, link: null });
      await storage.setPlainAddress(id, false);
      expect(await storage.access(id, null)).toEqual({ plainAddress: false, link: null });
      expect(await storage.access(other, null)).toEqual({ plainAddress: true, link: null });
      await expect(storage.setPlainAddress(newSheetId(), true)).rejects.toBeInstanceOf(UnknownSheetError);
      await storage.close();
    });

    it("keeps its own copies of links", async () => {
      const { storage } = await make();
      const owner = newLink("placeholder", { role: "owner" });
      const { id } = await newSheet(storage, (id) => {
        owner.sheetId = id;
        return { plainAddress: false, links: [owner] };
      });
      const added = newLink(id, { role: "view" });
      await storage.addLink(added);
      const expected = [{ ...owner }, { ...added }];
      // Mutating what was passed in, or what came out, changes nothing stored.
      owner.role = "view";
      added.label = "changed";
      const listed = await storage.listLinks(id);
      listed[0]!.role = "view";
      listed.pop();
      const found = await storage.access(id, expected[1]!.secretHash);
      found!.link!.lastUsedAt = 1;
      found!.plainAddress = true;
      expect(await storage.listLinks(id)).toEqual(expected);
      expect(await storage.access(id, expected[1]!.secretHash)).toEqual({ plainAddress: false, link: expected[1] });
      await storage.close();
    });
  });
}
