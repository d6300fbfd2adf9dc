import { MAX_COLS, MAX_ROWS } from "./a1.js";
import { isDateOrder } from "./dates.js";
import { isColor, isStyleValue, STYLE_ATTRS, type StyleAttr } from "./format.js";
import { generateKeyBetween } from "fractional-indexing";
import { FIRST_TAB, type ChatMessage, type CommentAction, type CommentEvent } from "./schema.js";

/**
 * What a sheet document may contain, entry by entry: the one definition used by the update
 * validator (for whatever a client or another node sends) and by the sheet's own writes.
 */
export const CONTENT_LIMITS = {
  /** Longest raw input of one cell, as in Excel. */
  cellInput: 32_767,
  /** Longest sheet title. */
  title: 200,
  /** Longest display name (presence, chat author). */
  name: 60,
  /** Longest chat message. */
  chatText: 2000,
  /** Longest comment. */
  commentText: 5000,
  /**
   * Most entries of a sheet's comment log (every reply, edit and resolve counts) before new
   * comments, replies and edits are refused; deletes, resolves and reopens may go on up to
   * `commentEventsMax`, so a full log can still be cleaned up.
   */
  commentEvents: 50_000,
  commentEventsMax: 55_000,
  /** Most comments in one thread. */
  commentsPerThread: 500,
  /**
   * Most cells a sheet's grid may span (rows x columns, empty ones included), as in Google Sheets.
   * Every whole-sheet operation (an export, the used range) is bounded by it, and a write far out
   * (`XFD1048576`) cannot grow a sheet to billions of cells.
   */
  gridCells: 10_000_000,
  /** Most rows and columns, as in Excel. */
  rows: MAX_ROWS,
  cols: MAX_COLS,
  /** Most tabs a workbook may have had (deleted ones count: they can come back). */
  tabs: 200,
  /** Longest tab name, as in Excel. */
  tabName: 31,
  /** Most rows or columns that can be frozen. */
  frozen: 20,
  /** Column widths in CSS pixels. */
  minColWidth: 20,
  maxColWidth: 2000,
  /** Row heights in CSS pixels. */
  minRowHeight: 16,
  maxRowHeight: 800,
  /** Most values one column of a filter can hide, and the longest value or condition it keeps. */
  filterValues: 10_000,
  filterText: 1000,
} as const;

const ID = "[A-Za-z0-9_-]{1,32}";
const AXIS_ID = new RegExp(`^${ID}$`);
const CELL_KEY = new RegExp(`^${ID}:${ID}$`);
const STYLE_KEY = new RegExp(`^(${ID}:${ID}):([a-zA-Z]+)$`);

/** A row or column id: short, URL-safe, never containing the `:` that joins cell keys. */
export function isAxisId(value: unknown): value is string {
  return typeof value === "string" && AXIS_ID.test(value);
}

/** A cell's stored input: a string within the cell limit. */
export function isCellInput(value: unknown): value is string {
  return typeof value === "string" && value.length <= CONTENT_LIMITS.cellInput;
}

export function isTitle(value: unknown): value is string {
  return typeof value === "string" && value.length <= CONTENT_LIMITS.title;
}

function isFrozenCount(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= CONTENT_LIMITS.frozen;
}

function isColWidth(value: unknown): boolean {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= CONTENT_LIMITS.minColWidth &&
    value <= CONTENT_LIMITS.maxColWidth
  );
}

export function isRowHeight(value: unknown): value is number {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= CONTENT_LIMITS.minRowHeight &&
    value <= CONTENT_LIMITS.maxRowHeight
  );
}

const CHAT_KEYS = ["id", "author", "color", "text", "at"];

/** A chat entry as the sheet writes it; anything else in the chat is shown as nothing. */
export function isChatMessage(value: unknown): value is ChatMessage {
  if (!isPlainObject(value)) return false;
  const m = value as Record<string, unknown>;
  const keys = Object.keys(m);
  return (
    keys.length === CHAT_KEYS.length &&
    keys.every((k) => CHAT_KEYS.includes(k)) &&
    isAxisId(m.id) &&
    typeof m.author === "string" &&
    m.author.length <= CONTENT_LIMITS.name &&
    isColor(m.color) &&
    typeof m.text === "string" &&
    m.text.length > 0 &&
    m.text.length <= CONTENT_LIMITS.chatText &&
    typeof m.at === "number" &&
    Number.isFinite(m.at)
  );
}

/** The keys of a comment event, beside `id`, `action`, `thread` and the stamp, by action. */
const COMMENT_KEYS: Record<CommentAction, readonly string[]> = {
  open: ["rowId", "colId", "text"],
  reply: ["text"],
  edit: ["target", "text"],
  delete: ["target"],
  resolve: [],
  reopen: [],
};

/**
 * Keys an event of an action may have: a thread on a tab other than the first names its `tab`; a
 * delete made by an editor of someone else's comment is `moderated`.
 */
const COMMENT_OPTIONAL_KEYS: Partial<Record<CommentAction, readonly string[]>> = { open: ["tab"], delete: ["moderated"] };

/** Comment text as the sheet keeps it: trimmed, not empty, within the limit. */
export function isCommentText(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= CONTENT_LIMITS.commentText && value.trim() === value;
}

const COMMENT_FIELDS: Record<string, (value: unknown) => boolean> = {
  id: isAxisId,
  action: (value) => typeof value === "string" && Object.hasOwn(COMMENT_KEYS, value),
  thread: isAxisId,
  target: isAxisId,
  rowId: isAxisId,
  colId: isAxisId,
  tab: isAxisId,
  text: isCommentText,
  author: (value) => typeof value === "string" && value.length <= CONTENT_LIMITS.name,
  person: (value) => typeof value === "string" && value.length <= 64,
  at: (value) => typeof value === "number" && Number.isFinite(value),
  moderated: (value) => value === true,
};

/** A comment event as the server writes it (see CommentEvent): its action's fields, each valid. */
export function isCommentEvent(value: unknown): value is CommentEvent {
  if (!isPlainObject(value)) return false;
  const e = value as Record<string, unknown>;
  if (!COMMENT_FIELDS.action!(e.action)) return false;
  const action = e.action as CommentAction;
  const fields = ["id", "action", "thread", "author", "person", "at", ...COMMENT_KEYS[action]];
  const optional = COMMENT_OPTIONAL_KEYS[action] ?? [];
  const keys = Object.keys(e);
  return (
    fields.every((k) => Object.hasOwn(e, k) && COMMENT_FIELDS[k]!(e[k])) &&
    keys.every((k) => fields.includes(k) || (optional.includes(k) && COMMENT_FIELDS[k]!(e[k])))
  );
}

/** The conditions a filter can keep a column's rows by (see filter.ts). */
export const FILTER_OPS = [
  "empty",
  "notEmpty",
  "contains",
  "notContains",
  "startsWith",
  "endsWith",
  "is",
  "isNot",
  "gt",
  "gte",
  "lt",
  "lte",
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Where a filter is: its header row and the columns at its edges, by id (see filter.ts). */
export interface FilterArea {
  id: string;
  header: string;
  from: string;
  to: string;
}

/** What one column of a filter keeps: rows showing none of the `hidden` values, and passing `op` on `value`. */
export interface ColumnFilter {
  hidden?: string[];
  op?: FilterOp;
  value?: string;
}

/** A plain object as a document's values decode to (no array, no other prototype). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function hasOnly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

export function isFilterArea(value: unknown): value is FilterArea {
  return (
    isPlainObject(value) &&
    hasOnly(value, ["id", "header", "from", "to"]) &&
    isAxisId(value.id) &&
    isAxisId(value.header) &&
    isAxisId(value.from) &&
    isAxisId(value.to)
  );
}

const isFilterText = (value: unknown): value is string => typeof value === "string" && value.length <= CONTENT_LIMITS.filterText;

export function isColumnFilter(value: unknown): value is ColumnFilter {
  if (!isPlainObject(value) || !hasOnly(value, ["hidden", "op", "value"])) return false;
  const { hidden, op } = value;
  if (hidden !== undefined && !(Array.isArray(hidden) && hidden.length <= CONTENT_LIMITS.filterValues && hidden.every(isFilterText))) {
    return false;
  }
  if (op !== undefined && !(FILTER_OPS as readonly unknown[]).includes(op)) return false;
  return value.value === undefined || (op !== undefined && isFilterText(value.value));
}

/** The key of one column of a tab's shared filter: `filter:<filterId>:<colId>` (see filter.ts). */
export const FILTER_COLUMN_KEY = new RegExp(`^filter:(${ID}):(${ID})$`);

/** A tab's filter for everyone: its area, and one entry per column it filters (see filter.ts). */
function isFilterEntry(key: string, value: unknown): boolean {
  return key === "filter" ? isFilterArea(value) : FILTER_COLUMN_KEY.test(key) && isColumnFilter(value);
}

/** The key of a merged area of a tab: `merge:<rowId>:<colId>`, its top-left cell (see merges.ts). */
export const MERGE_KEY = new RegExp(`^merge:(${ID}):(${ID})$`);

/** The bottom-right cell of a merged area, by ids. */
export interface MergeEnd {
  row: string;
  col: string;
}

export function isMergeEnd(value: unknown): value is MergeEnd {
  return isPlainObject(value) && hasOnly(value, ["row", "col"]) && isAxisId(value.row) && isAxisId(value.col);
}

/** What a tab's settings may hold besides its frozen counts (and the first tab's, the workbook's): a filter, merged areas. */
function isLayoutEntry(key: string, value: unknown): boolean {
  return isFilterEntry(key, value) || (MERGE_KEY.test(key) && isMergeEnd(value));
}

/** The settings a sheet's `meta` map may hold, each with its rule. */
const META: Record<string, (value: unknown) => boolean> = {
  title: isTitle,
  frozenRows: isFrozenCount,
  frozenCols: isFrozenCount,
  dateOrder: isDateOrder,
};

/** How each top-level shared type is shaped, and what each entry may be. */
export type RootRule = (
  | { kind: "array"; value: (value: unknown) => boolean; what: string }
  | { kind: "map"; entry: (key: string, value: unknown) => boolean; what: string }
) & {
  /** Written by the server alone, and only ever added to: no client update may touch it. */
  serverOnly?: true;
};

/** A tab's own type, `<tabId>/<name>`, for a tab other than the first (whose types have plain names). */
const TAB_ROOT = new RegExp(`^(${ID})/(rows|cols|cells|meta|colWidths|rowHeights|styles)$`);

/** The tab a top-level type belongs to (`FIRST_TAB` for a plain name), or null for a workbook-wide one. */
export function tabOfRoot(name: string): string | null {
  if (TAB_TYPES.has(name)) return FIRST_TAB;
  const m = TAB_ROOT.exec(name);
  return m && m[1] !== FIRST_TAB ? m[1]! : null;
}

const TAB_TYPES: ReadonlySet<string> = new Set(["rows", "cols", "cells", "meta", "colWidths", "rowHeights", "styles"]);

/** The rule of a top-level shared type, or undefined for a name a workbook does not have. */
export function rootRule(name: string): RootRule | undefined {
  if (Object.hasOwn(ROOT_RULES, name)) return ROOT_RULES[name];
  const m = TAB_ROOT.exec(name);
  if (!m || m[1] === FIRST_TAB) return undefined;
  return m[2] === "meta" ? TAB_META : ROOT_RULES[m[2]!];
}

/** A tab name as stored: 1 to 31 characters, none of `[]:*?/\`, not starting or ending with `'` (Excel's rule). */
export function isTabName(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length > 0 &&
    value.length <= CONTENT_LIMITS.tabName &&
    value.trim() === value &&
    !/[[\]:*?/\\\p{Cc}\p{Bidi_Control}\u2028\u2029\uFFFE\uFFFF]/u.test(value) &&
    // Excel keeps this name for itself: a workbook with a tab of it would not export.
    value.toLowerCase() !== "history" &&
    !value.startsWith("'") &&
    !value.endsWith("'")
  );
}

/** A fractional index, as tabs are ordered by (one `fractional-indexing` can place others around). */
export function isOrderKey(value: unknown): value is string {
  if (typeof value !== "string" || !/^[A-Za-z0-9]{2,64}$/.test(value)) return false;
  try {
    generateKeyBetween(value, null);
    return true;
  } catch {
    return false;
  }
}

const TAB_ATTRS: Record<string, (value: unknown) => boolean> = {
  name: isTabName,
  order: isOrderKey,
  color: isColor,
  deleted: (value) => value === true,
};
const TAB_KEY = new RegExp(`^(${ID}):([a-z]+)$`);

/** The settings of a tab other than the first: its frozen rows and columns. */
const TAB_META: RootRule = {
  kind: "map",
  entry: (key, value) => ((key === "frozenRows" || key === "frozenCols") && isFrozenCount(value)) || isLayoutEntry(key, value),
  what: `frozen counts of 0 to ${CONTENT_LIMITS.frozen}, a filter and merged cells`,
};

export const ROOT_RULES: Readonly<Record<string, RootRule>> = {
  rows: { kind: "array", value: isAxisId, what: "row ids" },
  cols: { kind: "array", value: isAxisId, what: "column ids" },
  chat: { kind: "array", value: isChatMessage, what: "chat messages" },
  comments: { kind: "array", value: isCommentEvent, what: "comment events", serverOnly: true },
  cells: {
    kind: "map",
    entry: (key, value) => CELL_KEY.test(key) && isCellInput(value),
    what: `cell keys with text of at most ${CONTENT_LIMITS.cellInput} characters`,
  },
  styles: {
    kind: "map",
    entry: (key, value) => {
      const m = STYLE_KEY.exec(key);
      return m !== null && STYLE_ATTRS.includes(m[2] as StyleAttr) && isStyleValue(m[2] as StyleAttr, value);
    },
    what: "known formatting attributes with valid values",
  },
  colWidths: {
    kind: "map",
    entry: (key, value) => isAxisId(key) && isColWidth(value),
    what: `column widths of ${CONTENT_LIMITS.minColWidth} to ${CONTENT_LIMITS.maxColWidth} px`,
  },
  rowHeights: {
    kind: "map",
    entry: (key, value) => isAxisId(key) && isRowHeight(value),
    what: `row heights of ${CONTENT_LIMITS.minRowHeight} to ${CONTENT_LIMITS.maxRowHeight} px`,
  },
  meta: {
    kind: "map",
    entry: (key, value) => (Object.hasOwn(META, key) && META[key]!(value)) || isLayoutEntry(key, value),
    what: `a title of at most ${CONTENT_LIMITS.title} characters, frozen counts of 0 to ${CONTENT_LIMITS.frozen}, a date order (mdy, dmy), a filter and merged cells`,
  },
  tabs: {
    kind: "map",
    entry: (key, value) => {
      const m = TAB_KEY.exec(key);
      return m !== null && Object.hasOwn(TAB_ATTRS, m[2]!) && TAB_ATTRS[m[2]!]!(value);
    },
    what: "tab names, order keys, colours and deletions",
  },
};

/** True when a sheet of this many rows and columns is within the size limits. */
export function fitsGrid(rows: number, cols: number): boolean {
  return rows <= CONTENT_LIMITS.rows && cols <= CONTENT_LIMITS.cols && rows * cols <= CONTENT_LIMITS.gridCells;
}
