import { IndexeddbPersistence } from "y-indexeddb";
import * as Y from "yjs";
import { connectSocket, SheetProvider, type SheetSocket } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";

/**
 * One open sheet in this tab: the document, its binding to the server, its local copy in
 * IndexedDB (so edits made offline survive a reload), and this user's undo history. No Vue here:
 * composables and stores wrap it.
 */
export class SheetSession {
  readonly doc = new Y.Doc();
  readonly sheet = Sheet.of(this.doc);
  /** The origin of this user's own edits; undo tracks only these. */
  readonly origin = { user: "local" };
  readonly provider: SheetProvider;
  readonly undo: Y.UndoManager;
  private readonly persistence: IndexeddbPersistence;

  constructor(
    readonly sheetId: string,
    readonly socket: SheetSocket = connectSocket(),
  ) {
    this.persistence = new IndexeddbPersistence(`cosheet:${sheetId}`, this.doc);
    this.provider = new SheetProvider({ socket, sheetId, doc: this.doc });
    // The chat is not undoable: a sent message stays sent.
    const { rows, cols, cells, meta, colWidths, styles } = this.sheet.types;
    this.undo = new Y.UndoManager([rows, cols, cells, meta, colWidths, styles], {
      trackedOrigins: new Set([this.origin]),
      captureTimeout: 0,
    });
  }

  /**
   * Forgets this browser's copy of the sheet, the changes it holds that were never saved included,
   * so that the next load starts from what the server holds. Resolves once the copy is deleted
   * (y-indexeddb's own clearData does not wait for that).
   */
  async discardLocalCopy(): Promise<void> {
    await this.persistence.destroy();
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(this.persistence.name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error("could not delete this browser's copy"));
    });
  }

  /** Resolves once the local copy from IndexedDB is loaded. */
  whenLocalLoaded(): Promise<void> {
    return this.persistence.whenSynced.then(() => undefined);
  }

  destroy(): void {
    this.undo.destroy();
    this.provider.destroy();
    void this.persistence.destroy();
    this.socket.disconnect();
    this.doc.destroy();
  }
}
