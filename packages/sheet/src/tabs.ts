import { generateKeyBetween } from "fractional-indexing";
import type * as Y from "yjs";
import { CONTENT_LIMITS, isOrderKey, isTabName } from "./content.js";
import { FIRST_ORDER, listTabs, tabIds, type Tab } from "./tablist.js";
import { isColor } from "./format.js";
import { randomId } from "./ids.js";
import { DEFAULT_COLS, DEFAULT_ROWS, newAxisIds, sheetTypes, TAB_TYPE_NAMES, tabTypeName } from "./schema.js";
import { Sheet } from "./sheet.js";

/**
 * A document is a workbook of tabs. The first tab is the one every document has (its types have
 * the plain names, so a document made before tabs is a workbook of one); each other tab has its
 * own types, prefixed with its id. The `tabs` map holds what the workbook knows of its tabs, one
 * entry per attribute (`<tabId>:name`, `:order`, `:color`, `:deleted`), so that a rename, a move
 * and a colour made at once by different people all survive:
 *
 * - **order** is a fractional index (a string that sorts between its neighbours'), so moving a tab
 *   writes one key; two tabs moved to the same place at once sort by their ids. The first tab
 *   without an order of its own sorts as the first key.
 * - **names** are unique in what everyone sees: two tabs given the same name at once (added or
 *   renamed on two replicas) both keep it as stored, and the one later in the order shows it with
 *   " (2)" (then " (3)", …), the same on every replica. Formulas refer to tabs by id, so no name
 *   change rewrites any formula.
 * - **deleting** a tab marks it deleted: it is gone for everyone, with what anyone wrote in it
 *   meanwhile, and undoing the delete (or restoring a version from before) brings it all back.
 */

export class TabError extends Error {
  override readonly name = "TabError";
}

const TAB_NAME_LIMIT = CONTENT_LIMITS.tabName;


const workbooks = new WeakMap<Y.Doc, Workbook>();

/** The tabs of a workbook document: listing them, adding, renaming, moving, colouring, deleting. */
export class Workbook {
  private readonly tabs: Y.Map<unknown>;

  static of(doc: Y.Doc): Workbook {
    let book = workbooks.get(doc);
    if (!book) workbooks.set(doc, (book = new Workbook(doc)));
    return book;
  }

  /** The tabs shown, as last listed: kept until the tabs change (here, or by anyone). */
  private shown: Tab[] | null = null;

  private constructor(readonly doc: Y.Doc) {
    this.tabs = sheetTypes(doc).tabs;
    this.tabs.observe(() => {
      this.shown = null;
    });
  }

  /**
   * Changes the tabs in one transaction. The list is listed again after it, even inside a
   * larger transaction (whose observers run only at its end): adding two tabs in one transaction
   * must see the first when naming and placing the second.
   */
  private write(fn: () => void, origin: unknown): void {
    this.doc.transact(() => {
      fn();
      this.shown = null;
    }, origin);
  }

  private attr(tab: string, name: "name" | "order" | "color" | "deleted"): unknown {
    return this.tabs.get(`${tab}:${name}`);
  }

  /** Ids of every tab the workbook has had, deleted ones included. */
  private allIds(): string[] {
    return tabIds(this.tabs);
  }

  /** How many tabs the workbook has had, deleted ones included (the limit counts them), and their cells in all. */
  size(): { tabs: number; cells: number } {
    const ids = this.allIds();
    return { tabs: ids.length, cells: ids.reduce((n, id) => n + Sheet.of(this.doc, id).rowCount * Sheet.of(this.doc, id).colCount, 0) };
  }

  /** The tabs shown, in order, with their names as shown. */
  list(): readonly Tab[] {
    this.shown ??= listTabs(this.tabs);
    return this.shown;
  }

  /**
   * A tab shown, by its name as shown (case-insensitively, as Excel does) or else by its id: a tab
   * named like another's id (the first tab's is "first") is found by the name people see.
   */
  find(idOrName: string): Tab | undefined {
    const lower = idOrName.toLowerCase();
    return this.list().find((t) => t.name.toLowerCase() === lower) ?? this.byId(idOrName);
  }

  /** A tab shown, by its id. */
  byId(id: string): Tab | undefined {
    return this.list().find((t) => t.id === id);
  }

  /** The sheet of a tab shown; throws {@link TabError} for a tab not shown. */
  sheet(id: string): Sheet {
    if (!this.byId(id)) throw new TabError(`no tab ${id}`);
    return Sheet.of(this.doc, id);
  }

  /**
   * Adds a tab of `rows` x `cols` (by default the size of a new sheet) at `index` (by default
   * last), named `name` or the next free "SheetN"; answers its id. Throws {@link TabError} for a
   * name that is not a tab name or is taken, and past the workbook's limit of tabs.
   */
  add(options: { name?: string; index?: number; rows?: number; cols?: number } = {}, origin?: unknown): string {
    if (this.allIds().length >= CONTENT_LIMITS.tabs) throw new TabError(`a workbook has at most ${CONTENT_LIMITS.tabs} tabs`);
    const tabs = this.list();
    const name = options.name ?? this.freeName(tabs);
    this.checkName(name, tabs);
    const index = Math.max(0, Math.min(options.index ?? tabs.length, tabs.length));
    const id = randomId(8);
    const sheet = Sheet.of(this.doc, id);
    this.write(() => {
      this.tabs.set(`${id}:name`, name);
      this.tabs.set(`${id}:order`, this.orderAt(tabs, index));
      sheet.types.rows.push(newAxisIds(options.rows ?? DEFAULT_ROWS, new Set()));
      sheet.types.cols.push(newAxisIds(options.cols ?? DEFAULT_COLS, new Set()));
    }, origin);
    return id;
  }

  /** Renames a tab; throws {@link TabError} for a name that is not a tab name or is another tab's. */
  rename(id: string, name: string, origin?: unknown): void {
    const tabs = this.list();
    if (!tabs.some((t) => t.id === id)) throw new TabError(`no tab ${id}`);
    this.checkName(name, tabs, id);
    this.write(() => this.tabs.set(`${id}:name`, name), origin);
  }

  /** Moves a tab to `index` among the tabs shown. */
  move(id: string, index: number, origin?: unknown): void {
    const others = this.list().filter((t) => t.id !== id);
    if (others.length === this.list().length) throw new TabError(`no tab ${id}`);
    const at = Math.max(0, Math.min(index, others.length));
    this.write(() => this.tabs.set(`${id}:order`, this.orderAt(others, at)), origin);
  }

  /** Sets a tab's colour (`#rrggbb`), or takes it away. */
  setColor(id: string, color: string | undefined, origin?: unknown): void {
    if (!this.byId(id)) throw new TabError(`no tab ${id}`);
    if (color !== undefined && !isColor(color)) throw new TabError(`not a colour: ${color}`);
    this.write(() => (color === undefined ? this.tabs.delete(`${id}:color`) : this.tabs.set(`${id}:color`, color)), origin);
  }

  /** Deletes a tab (it can be undone); a workbook keeps at least one tab. */
  delete(id: string, origin?: unknown): void {
    const tabs = this.list();
    if (!tabs.some((t) => t.id === id)) throw new TabError(`no tab ${id}`);
    if (tabs.length === 1) throw new TabError("a workbook keeps at least one tab");
    this.write(() => this.tabs.set(`${id}:deleted`, true), origin);
  }

  /**
   * Copies a tab, right after it, named "<name> (copy)" or the next free one: its cells, formats,
   * widths and frozen panes. The copy keeps the same row and column ids (ids are per tab), so its
   * formulas point at its own cells as the original's do at theirs.
   */
  duplicate(id: string, origin?: unknown): string {
    const tabs = this.list();
    const source = tabs.find((t) => t.id === id);
    if (!source) throw new TabError(`no tab ${id}`);
    if (this.allIds().length >= CONTENT_LIMITS.tabs) throw new TabError(`a workbook has at most ${CONTENT_LIMITS.tabs} tabs`);
    const base = `${source.name.slice(0, TAB_NAME_LIMIT - " (copy)".length)} (copy)`;
    const name = this.freeName(tabs, base);
    const copy = randomId(8);
    this.write(() => {
      this.tabs.set(`${copy}:name`, name);
      this.tabs.set(`${copy}:order`, this.orderAt(tabs, source.index + 1));
      for (const type of TAB_TYPE_NAMES) {
        if (type === "rows" || type === "cols") {
          this.doc.getArray<string>(tabTypeName(copy, type)).push(this.doc.getArray<string>(tabTypeName(id, type)).toArray());
          continue;
        }
        const from = this.doc.getMap<unknown>(tabTypeName(id, type));
        const to = this.doc.getMap<unknown>(tabTypeName(copy, type));
        // The first tab's settings hold the workbook's title too: only a tab's own are copied.
        for (const [key, value] of from.entries()) if (type !== "meta" || key !== "title") to.set(key, value);
      }
    }, origin);
    return copy;
  }

  /** `wanted` when it is a tab name no tab has, else the next free one after it ("SheetN" for no name). */
  uniqueName(wanted: string): string {
    const tabs = this.list();
    const name = wanted.trim().slice(0, TAB_NAME_LIMIT);
    if (!isTabName(name)) return this.freeName(tabs);
    return this.freeName(tabs, name);
  }

  private checkName(name: string, tabs: readonly Tab[], self?: string): void {
    if (!isTabName(name)) {
      throw new TabError(`a tab name has 1 to ${TAB_NAME_LIMIT} characters, none of [ ] : * ? / \\, and does not start or end with '`);
    }
    const lower = name.toLowerCase();
    if (tabs.some((t) => t.id !== self && t.name.toLowerCase() === lower)) throw new TabError(`there is already a tab named “${name}”`);
  }

  private freeName(tabs: readonly Tab[], base?: string): string {
    const taken = new Set(tabs.map((t) => t.name.toLowerCase()));
    if (base !== undefined) {
      let name = base;
      for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base.slice(0, TAB_NAME_LIMIT - ` ${n}`.length)} ${n}`;
      return name;
    }
    for (let n = tabs.length + 1; ; n++) if (!taken.has(`sheet${n}`)) return `Sheet${n}`;
  }

  /** An order key that puts a tab at `index` among `tabs` (which it is not one of). */
  private orderAt(tabs: readonly Tab[], index: number): string {
    const keyOf = (t: Tab | undefined) => {
      if (!t) return null;
      const key = this.attr(t.id, "order");
      return isOrderKey(key) ? key : FIRST_ORDER;
    };
    const before = keyOf(tabs[index - 1]);
    const after = keyOf(tabs[index]);
    // Neighbours with equal keys (both moved there at once elsewhere) sort by id: share theirs.
    if (before !== null && after !== null && before >= after) return before;
    return generateKeyBetween(before, after);
  }
}
