import { IndexeddbPersistence } from "y-indexeddb";
import * as Y from "yjs";
import { connectSocket, roleAtLeast, SheetProvider, stateInParts, type Role, type SheetSocket } from "@cosheet/protocol";
import { Sheet, sheetTypes, Workbook } from "@cosheet/sheet";
import { loadPersonKey } from "./identity";
import type { RememberedLink } from "./recent";

const localCopyName = (sheetId: string) => `cosheet:${sheetId}`;
/** How long the first sync waits for the local copy to start loading before it goes without it. */
const LOCAL_COPY_WAIT_MS = 3_000;

/** What the first sync's wait needs of a local copy (y-indexeddb's IndexeddbPersistence). */
interface LoadingCopy {
  whenSynced: Promise<unknown>;
  on(event: "load-error", fn: (err: unknown) => void): void;
}

/** Resolves once the local copy has loaded, or could not be read (which the console is told). */
export function copySettled(copy: LoadingCopy): Promise<void> {
  return new Promise((resolve) => {
    void copy.whenSynced.then(() => resolve());
    copy.on("load-error", (err) => {
      console.error("this browser's copy of the sheet could not be read", err);
      resolve();
    });
  });
}

/**
 * Resolves with `settled` (see copySettled), or after `waitMs` if no part of the copy (changes
 * from `origin`) has been applied to `doc` by then: IndexedDB can hang. Once parts are being
 * applied (a large copy takes several seconds), it waits for the rest, so the server is not asked
 * for the whole sheet again meanwhile.
 */
export function localCopyLoaded(doc: Y.Doc, origin: unknown, settled: Promise<void>, waitMs = LOCAL_COPY_WAIT_MS): Promise<void> {
  return new Promise((resolve) => {
    let applying = false;
    const onTransaction = (tr: Y.Transaction) => {
      if (tr.origin === origin) applying = true;
    };
    const done = () => {
      doc.off("afterTransaction", onTransaction);
      clearTimeout(timer);
      resolve();
    };
    doc.on("afterTransaction", onTransaction);
    void settled.then(done);
    const timer = setTimeout(() => {
      if (!applying) done();
    }, waitMs);
  });
}

/**
 * One open sheet in this tab: the document, its binding to the server through the link it was
 * opened with, its local copy in IndexedDB (so edits made offline survive a reload), and this
 * user's undo history. No Vue here: composables and stores wrap it.
 */
export class SheetSession {
  readonly doc = new Y.Doc();
  /** The first tab. */
  readonly sheet = Sheet.of(this.doc);
  readonly book = Workbook.of(this.doc);
  /** The origin of this user's own edits; undo tracks only these. */
  readonly origin = { user: "local" };
  readonly provider: SheetProvider;
  readonly undo: Y.UndoManager;
  /** The secret of the link joined with; none for the sheet's plain address. */
  readonly secret: string | undefined;
  /** This browser's person key: the comments it writes are its own to edit and delete. */
  readonly person = loadPersonKey();
  private persistence: IndexeddbPersistence | null = null;
  /** Resolves once the local copy has loaded or failed to (see copySettled). */
  private copyLoaded: Promise<void> = Promise.resolve();
  /**
   * The local copy is loading: it is applied in parts, one per task, so the page shows the top of
   * the sheet before the rest; nothing is edited meanwhile (a cell could look empty that is not).
   */
  copyLoading = false;
  private readonly copyLoadingListeners = new Set<(loading: boolean) => void>();

  constructor(
    readonly sheetId: string,
    link: RememberedLink = {},
    readonly socket: SheetSocket = connectSocket(),
  ) {
    this.secret = link.secret;
    this.provider = new SheetProvider({
      socket,
      sheetId,
      doc: this.doc,
      secret: link.secret,
      person: this.person,
      // With the local copy loaded, the server sends only what it lacks, not the whole sheet again.
      beforeSync: () => (this.persistence ? localCopyLoaded(this.doc, this.persistence, this.copyLoaded) : undefined),
    });
    // The local copy may hold an earlier edit visit's unsaved changes: only a role that may send
    // them loads it. A role remembered as such loads it at once, so the sheet opens offline.
    if (link.role) this.attachLocalCopy(link.role);
    this.provider.on("role", (role) => this.attachLocalCopy(role));
    // Every tab's types and the tabs themselves; the chat and the comments are not undoable: what
    // was said stays said.
    this.undo = new Y.UndoManager([this.sheet.types.tabs], { trackedOrigins: new Set([this.origin]), captureTimeout: 0 });
    const track = () => {
      for (const { id } of this.book.list()) {
        const { rows, cols, cells, meta, colWidths, rowHeights, styles } = sheetTypes(this.doc, id);
        this.undo.addToScope([rows, cols, cells, meta, colWidths, rowHeights, styles]);
      }
    };
    track();
    this.sheet.types.tabs.observe(track);
  }

  /**
   * Forgets this browser's copy of the sheet, the changes it holds that were never saved included,
   * so that the next load starts from what the server holds. Resolves once the copy is deleted
   * (y-indexeddb's own clearData does not wait for that).
   */
  async discardLocalCopy(): Promise<void> {
    await this.persistence?.destroy();
    this.persistence = null;
    this.setCopyLoading(false);
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(localCopyName(this.sheetId));
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error("could not delete this browser's copy"));
    });
  }

  /** Calls `fn` with {@link copyLoading} whenever it changes; answers a function that stops. */
  onCopyLoading(fn: (loading: boolean) => void): () => void {
    this.copyLoadingListeners.add(fn);
    return () => this.copyLoadingListeners.delete(fn);
  }

  private setCopyLoading(loading: boolean): void {
    if (this.copyLoading === loading) return;
    this.copyLoading = loading;
    for (const fn of this.copyLoadingListeners) fn(loading);
  }

  /**
   * Loads and keeps the local copy from now on, if `role` may send what it holds. Its merged state
   * is written in parts, as the server sends a large sheet, so it loads over several tasks too.
   */
  private attachLocalCopy(role: Role): void {
    if (!roleAtLeast(role, "edit") || this.persistence) return;
    const persistence = new IndexeddbPersistence(localCopyName(this.sheetId), this.doc, { encodeState: (doc) => [...stateInParts(doc)] });
    this.persistence = persistence;
    this.setCopyLoading(true);
    // A copy that cannot be read leaves the sheet to the server: it is not loading any more.
    this.copyLoaded = copySettled(persistence);
    void this.copyLoaded.then(() => this.persistence === persistence && this.setCopyLoading(false));
  }

  destroy(): void {
    this.undo.destroy();
    this.provider.destroy();
    void this.persistence?.destroy();
    this.socket.disconnect();
    this.doc.destroy();
  }
}
