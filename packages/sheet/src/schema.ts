import * as Y from "yjs";
import { AXIS_ID_LENGTH, randomIds } from "./ids.js";

/** Size of a newly created sheet. */
export const DEFAULT_ROWS = 1000;
export const DEFAULT_COLS = 26;

/**
 * The tab every document has from its start. Its types have the plain names (`rows`, `cells`, …),
 * as in documents made before workbooks had tabs; every other tab's are prefixed with its id
 * (`<tabId>/rows`, `<tabId>/cells`, …). See `tabs.ts`.
 */
export const FIRST_TAB = "first";

/** The name of a tab's own shared type: the plain name for the first tab, `<tabId>/<name>` for the others. */
export function tabTypeName(tab: string, name: TabTypeName): string {
  return tab === FIRST_TAB ? name : `${tab}/${name}`;
}

/** The shared types each tab has of its own. */
export const TAB_TYPE_NAMES = ["rows", "cols", "cells", "meta", "colWidths", "rowHeights", "styles"] as const;
export type TabTypeName = (typeof TAB_TYPE_NAMES)[number];

/**
 * The shared types one tab of a workbook document works with (see docs/protocol.md for the
 * schema): its own rows, columns, cells, settings, widths and styles, and the workbook's title,
 * chat and comments, which all its tabs share.
 */
export interface SheetTypes {
  /** Order of row ids. */
  rows: Y.Array<string>;
  /** Order of column ids. */
  cols: Y.Array<string>;
  /** `rowId:colId` -> raw input. An empty cell has no key. */
  cells: Y.Map<string>;
  /** The tab's settings (frozen rows and columns); the first tab's also hold the workbook's title. */
  meta: Y.Map<unknown>;
  /** The workbook's title and settings: the first tab's `meta`. */
  book: Y.Map<unknown>;
  /** The tabs of the workbook: `<tabId>:<attribute>` -> value (see `tabs.ts`). */
  tabs: Y.Map<unknown>;
  /** The sheet's group chat, oldest first. */
  chat: Y.Array<ChatMessage>;
  /** colId -> width in CSS pixels, for columns not at the default width. */
  colWidths: Y.Map<number>;
  /** rowId -> height in CSS pixels, for rows someone set a height of (others fit their content). */
  rowHeights: Y.Map<number>;
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
  /**
   * Opens a thread on a cell, by its tab (none: the first) and its row and column ids, so it
   * follows the cell wherever it moves.
   */
  | (CommentEventBase<"open"> & { rowId: string; colId: string; text: string; tab?: string })
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

/** The shared types of one tab of a document (by default the first). */
export function sheetTypes(doc: Y.Doc, tab: string = FIRST_TAB): SheetTypes {
  const name = (type: TabTypeName) => tabTypeName(tab, type);
  return {
    rows: doc.getArray<string>(name("rows")),
    cols: doc.getArray<string>(name("cols")),
    cells: doc.getMap<string>(name("cells")),
    meta: doc.getMap<unknown>(name("meta")),
    book: doc.getMap<unknown>("meta"),
    tabs: doc.getMap<unknown>("tabs"),
    chat: doc.getArray<ChatMessage>("chat"),
    colWidths: doc.getMap<number>(name("colWidths")),
    rowHeights: doc.getMap<number>(name("rowHeights")),
    styles: doc.getMap<unknown>(name("styles")),
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
