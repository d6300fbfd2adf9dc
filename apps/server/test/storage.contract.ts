import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { initSheet, Sheet } from "@cosheet/sheet";
import { newSheetId } from "../src/registry/registry.js";
import { compactSheet } from "../src/registry/room.js";
import { SheetExistsError, type Storage } from "../src/storage/storage.js";

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/** The contract every storage adapter must meet. */
export function storageContract(name: string, make: () => Promise<{ storage: Storage; reopen?: () => Promise<Storage> }>) {
  describe(`storage contract: ${name}`, () => {
    async function newSheet(storage: Storage) {
      const id = newSheetId();
      const doc = new Y.Doc();
      initSheet(doc, { title: "t", rows: 5, cols: 3 });
      await storage.create(id, Y.encodeStateAsUpdate(doc));
      return { id, doc };
    }

    it("creates, loads and knows unknown sheets", async () => {
      const { storage } = await make();
      const { id } = await newSheet(storage);
      const stored = await storage.load(id);
      expect(stored?.updates).toHaveLength(1);
      expect(stored?.lastSeq).toBe(1);
      expect(Sheet.of(docFrom(stored!.updates)).rowCount).toBe(5);
      expect(await storage.load(newSheetId())).toBeNull();
      await expect(storage.create(id, new Uint8Array([0, 0]))).rejects.toBeInstanceOf(SheetExistsError);
      await storage.close();
    });

    it("appends in order with increasing sequence numbers, concurrently", async () => {
      const { storage } = await make();
      const { id, doc } = await newSheet(storage);
      const updates: Uint8Array[] = [];
      doc.on("update", (u: Uint8Array) => updates.push(u));
      const sheet = Sheet.of(doc);
      for (let i = 0; i < 20; i++) sheet.setCellsA1({ [`A${i + 1}`]: String(i) });
      const seqs = await Promise.all(updates.map((u) => storage.append(id, u)));
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      const stored = await storage.load(id);
      expect(stored!.lastSeq).toBe(21);
      expect(Sheet.of(docFrom(stored!.updates)).toA1Record()).toEqual(sheet.toA1Record());
      await expect(storage.append(newSheetId(), updates[0]!)).rejects.toThrow();
      await storage.close();
    });

    it("compacts into a snapshot and keeps later appends", async () => {
      const { storage } = await make();
      const { id, doc } = await newSheet(storage);
      const sheet = Sheet.of(doc);
      doc.on("update", (u: Uint8Array) => void storage.append(id, u));
      sheet.setCellsA1({ A1: "1" });
      sheet.setCellsA1({ A2: "2" });
      await new Promise((r) => setTimeout(r, 10));
      const before = await storage.load(id);
      const snapshot = Y.encodeStateAsUpdate(docFrom(before!.updates));
      const late = new Y.Doc();
      Y.applyUpdate(late, Y.encodeStateAsUpdate(doc));
      const lateUpdates: Uint8Array[] = [];
      late.on("update", (u: Uint8Array) => lateUpdates.push(u));
      Sheet.of(late).setCellsA1({ A3: "3" });
      await storage.append(id, lateUpdates[0]!);
      await storage.compact(id, snapshot, before!.lastSeq);
      const after = await storage.load(id);
      expect(after!.updates).toHaveLength(2);
      expect(Sheet.of(docFrom(after!.updates)).toA1Record()).toEqual({ A1: "1", A2: "2", A3: "3" });
      await compactSheet(storage, id);
      const once = await storage.load(id);
      expect(once!.updates).toHaveLength(1);
      expect(Sheet.of(docFrom(once!.updates)).toA1Record()).toEqual({ A1: "1", A2: "2", A3: "3" });
      expect(await storage.append(id, lateUpdates[0]!)).toBe(once!.lastSeq + 1);
      await storage.close();
    });

    it("keeps everything across a reopen", async () => {
      const { storage, reopen } = await make();
      if (!reopen) return;
      const { id, doc } = await newSheet(storage);
      const updates: Uint8Array[] = [];
      doc.on("update", (u: Uint8Array) => updates.push(u));
      Sheet.of(doc).setCellsA1({ B2: "kept" });
      await storage.append(id, updates[0]!);
      await storage.close();
      const again = await reopen();
      const stored = await again.load(id);
      expect(Sheet.of(docFrom(stored!.updates)).toA1Record()).toEqual({ B2: "kept" });
      await again.close();
    });
  });
}
