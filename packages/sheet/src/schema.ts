import * as Y from "yjs";
import { AXIS_ID_LENGTH, randomIds } from "./ids.js";

/** Size of a newly created sheet. */
export const DEFAULT_ROWS = 1000;
export const DEFAULT_COLS = 26;

/** The shared types of one sheet document (see docs/protocol.md for the schema). */
export interface SheetTypes {
  /** Order of row ids. */
  rows: Y.Array<string>;
  /** Order of column ids. */
  cols: Y.Array<string>;
  /** `rowId:colId` -> raw input. An empty cell has no key. */
  cells: Y.Map<string>;
  /** Title and other sheet-wide settings. */
  meta: Y.Map<unknown>;
  /** The sheet's group chat, oldest first. */
  chat: Y.Array<ChatMessage>;
  /** colId -> width in CSS pixels, for columns not at the default width. */
  colWidths: Y.Map<number>;
  /** `rowId:colId:attr` -> one formatting attribute of a cell (see CellStyle). */
  styles: Y.Map<unknown>;
  /**
   * The comments on cells, as the log of what people did (see `comments.ts`, which folds it into
   * threads). Only the server appends to it, with the author and time stamped; nothing is removed.
   */
  comments: Y.Array<CommentEvent>;
}

/** One message of a sheet's group chat, stored in the sheet's document. */
export interface ChatMessage {
  id: string;
  author: string;
  color: string;
  text: string;
  /** Milliseconds since the epoch, by the sender's clock. */
  at: number;
}

/** What a comment event does: open a thread on a cell, reply in it, change or take back a comment, resolve or reopen. */
export type CommentAction = "open" | "reply" | "edit" | "delete" | "resolve" | "reopen";

interface CommentEventBase<A extends CommentAction> {
  /** Chosen by the sender, so that sending it again (after a lost answer) changes nothing. */
  id: string;
  action: A;
  /** The thread, by the id of the event that opened it. */
  thread: string;
}

/** A comment event as its sender asks for it, before the server stamps who and when. */
export type CommentRequest =
  /** Opens a thread on a cell, by its row and column ids, so it follows the cell wherever it moves. */
  | (CommentEventBase<"open"> & { rowId: string; colId: string; text: string })
  | (CommentEventBase<"reply"> & { text: string })
  /** `target`: the comment, by the id of the event that wrote it (an open or a reply). */
  | (CommentEventBase<"edit"> & { target: string; text: string })
  | (CommentEventBase<"delete"> & { target: string })
  | CommentEventBase<"resolve" | "reopen">;

/** Who and when, as the server stamps it on each event. */
export interface CommentStamp {
  /** The display name the author had. */
  author: string;
  /** Who wrote it, as a key only its writer can prove (empty: nobody can change it later). */
  person: string;
  /** Milliseconds since the epoch, by the server's clock. */
  at: number;
}

/**
 * One entry of a sheet's comment log, as the server stamped it. A delete the server made for an
 * editor, of someone else's comment, is `moderated`.
 */
export type CommentEvent = CommentRequest & CommentStamp & { moderated?: true };

/**
 * The shared types that hold the discussion about a sheet rather than the sheet: a restore leaves
 * them as they are, and someone who may comment but not edit may add to them (to the comments
 * through the server, which alone writes them).
 */
export const DISCUSSION_TYPES: readonly (keyof SheetTypes)[] = ["chat", "comments"];

export function sheetTypes(doc: Y.Doc): SheetTypes {
  return {
    rows: doc.getArray<string>("rows"),
    cols: doc.getArray<string>("cols"),
    cells: doc.getMap<string>("cells"),
    meta: doc.getMap<unknown>("meta"),
    chat: doc.getArray<ChatMessage>("chat"),
    colWidths: doc.getMap<number>("colWidths"),
    styles: doc.getMap<unknown>("styles"),
    comments: doc.getArray<CommentEvent>("comments"),
  };
}

export function cellKey(rowId: string, colId: string): string {
  return `${rowId}:${colId}`;
}

/** The key of one formatting attribute of a cell in `styles`. */
export function styleKey(rowId: string, colId: string, attr: string): string {
  return `${rowId}:${colId}:${attr}`;
}

/** The row and column ids of a cell key or a style key. */
export function splitCellKey(key: string): [rowId: string, colId: string] {
  const i = key.indexOf(":");
  const j = key.indexOf(":", i + 1);
  return [key.slice(0, i), key.slice(i + 1, j < 0 ? undefined : j)];
}

/** `count` fresh ids that collide neither with each other nor with `taken`. */
export function newAxisIds(count: number, taken: ReadonlySet<string> | ReadonlyMap<string, unknown>): string[] {
  const ids: string[] = [];
  const fresh = new Set<string>();
  while (ids.length < count) {
    for (const id of randomIds(count - ids.length, AXIS_ID_LENGTH)) {
      if (taken.has(id) || fresh.has(id)) continue;
      fresh.add(id);
      ids.push(id);
    }
  }
  return ids;
}

export interface InitOptions {
  title?: string;
  rows?: number;
  cols?: number;
}

/**
 * Creates the structure of a new sheet. This runs exactly once per sheet, on the server, when the
 * sheet is created: clients and loads never call it, so a restart can never seed a second copy of
 * the rows and columns.
 */
export function initSheet(doc: Y.Doc, options: InitOptions = {}): void {
  const { rows, cols, meta } = sheetTypes(doc);
  if (rows.length > 0 || cols.length > 0) throw new Error("sheet is already initialised");
  doc.transact(() => {
    rows.push(newAxisIds(options.rows ?? DEFAULT_ROWS, new Set()));
    cols.push(newAxisIds(options.cols ?? DEFAULT_COLS, new Set()));
    meta.set("title", options.title ?? "Untitled sheet");
  }, "init");
}
