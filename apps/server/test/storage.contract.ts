import { createHash, randomBytes } from "node:crypto";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { initSheet, Sheet } from "@cosheet/sheet";
import { newSheetId } from "../src/registry/registry.js";
import { compactSheet } from "../src/registry/room.js";
import {
  SheetExistsError,
  UnknownSheetError,
  type NewSheetAccess,
  type Storage,
  type StoredLink,
} from "../src/storage/storage.js";

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

const NO_ACCESS: NewSheetAccess = { plainAddress: false, links: [] };

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

    it("creates, loads and knows unknown sheets", async () => {
      const { storage } = await make();
      const { id } = await newSheet(storage);
      const stored = await storage.load(id);
      expect(stored?.updates).toHaveLength(1);
      expect(stored?.lastSeq).toBe(1);
      expect(Sheet.of(docFrom(stored!.updates)).rowCount).toBe(5);
      expect(await storage.load(newSheetId())).toBeNull();
      await expect(storage.create(id, new Uint8Array([0, 0]), NO_ACCESS)).rejects.toBeInstanceOf(SheetExistsError);
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
