// @vitest-environment happy-dom
import { mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { initSheet, Sheet } from "@cosheet/sheet";
import { useEditingStore } from "../stores/editing";
import { useSelectionStore } from "../stores/selection";
import SheetGrid from "./SheetGrid.vue";

beforeEach(() => setActivePinia(createPinia()));

/** The items of the open menu, which the grid puts in the page's body (its containment would clip it). */
const menuItems = () => [...document.body.querySelectorAll<HTMLElement>("[role=menuitem]")];

function readOnlyGrid() {
  const doc = new Y.Doc();
  initSheet(doc, { rows: 10, cols: 5 });
  const sheet = Sheet.of(doc);
  sheet.setCells([{ row: 0, col: 0, input: "42" }]);
  return mount(SheetGrid, {
    props: { sheet, version: 0, rowCount: 10, colCount: 5, peers: [], readOnly: true },
    attachTo: document.body,
  });
}

describe("a read-only grid", () => {
  it("moves and selects, but starts no edit and asks for no change", async () => {
    const grid = readOnlyGrid();
    const el = grid.find("[role=grid]");
    expect(el.attributes("aria-readonly")).toBe("true");
    await el.trigger("keydown", { key: "ArrowDown" });
    expect(useSelectionStore().focus).toEqual({ row: 1, col: 0 });
    for (const key of ["x", "F2", "Delete", "Backspace"]) await el.trigger("keydown", { key });
    for (const key of ["z", "y", "d", "b"]) await el.trigger("keydown", { key, ctrlKey: true });
    await el.trigger("keydown", { key: "=", ctrlKey: true, altKey: true });
    await el.trigger("dblclick");
    expect(useEditingStore().edit).toBeNull();
    expect(grid.find("textarea").exists()).toBe(false);
    expect(Object.keys(grid.emitted()).filter((name) => !["keydown", "dblclick"].includes(name))).toEqual([]);
    await el.trigger("keydown", { key: "a", ctrlKey: true });
    expect(useSelectionStore().range.end).toEqual({ row: 9, col: 4 });
    grid.unmount();
  });

  it("offers no fill handle, column resizing or added rows", () => {
    const grid = readOnlyGrid();
    expect(grid.find(".fill-handle").exists()).toBe(false);
    expect(grid.find("[role=separator]").exists()).toBe(false);
    expect(grid.find(".add-rows").exists()).toBe(false);
    grid.unmount();
  });
});

describe("a grid's cell menu", () => {
  function grid(props: { history?: boolean; highlighted?: ReadonlySet<string>; canComment?: boolean; readOnly?: boolean }) {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 10, cols: 5 });
    const sheet = Sheet.of(doc);
    const wrapper = mount(SheetGrid, {
      props: { sheet, version: 0, rowCount: 10, colCount: 5, peers: [], ...props },
      attachTo: document.body,
    });
    return { sheet, wrapper, el: wrapper.find("[role=grid]") };
  }

  it("offers the active cell's edit history by its shortcut, and in its menu after the row's commands", async () => {
    const { wrapper, el } = grid({ history: true });
    await el.trigger("keydown", { key: "ArrowDown" });
    await el.trigger("keydown", { key: "H", code: "KeyH", ctrlKey: true, altKey: true, shiftKey: true });
    await el.trigger("keydown", { key: "F10", shiftKey: true });
    // The menu is in the page, not in the grid (see menuItems).
    const items = menuItems();
    expect(items.map((i) => i.textContent!.trim())).toEqual([
      "Cut",
      "Copy",
      "Paste",
      "Paste values only",
      "Clear",
      "Sort range…",
      "Edit history",
      "Insert row above",
      "Insert row below",
      "Delete row 2",
      "Insert column left",
      "Insert column right",
      "Delete column A",
    ]);
    items[6]!.click();
    expect(wrapper.emitted("showHistory")).toEqual([[{ row: 1, col: 0 }], [{ row: 1, col: 0 }]]);
    wrapper.unmount();
  });

  it("keeps the selection from the keyboard, offers only the columns' commands for whole columns, and closes on a click elsewhere", async () => {
    const { wrapper, el } = grid({});
    const selection = useSelectionStore();
    selection.selectRange({ row: 1, col: 1 }, { row: 2, col: 2 });
    await el.trigger("keydown", { key: "F10", shiftKey: true });
    expect(selection.range).toEqual({ start: { row: 1, col: 1 }, end: { row: 2, col: 2 } });
    expect(menuItems().map((i) => i.textContent!.trim())).toContain("Delete rows 2–3");
    await el.trigger("mousedown", { button: 0, clientX: 0, clientY: 0 });
    expect(menuItems()).toHaveLength(0);
    selection.selectRange({ row: 0, col: 1 }, { row: 9, col: 1 });
    await el.trigger("keydown", { key: "ContextMenu" });
    const labels = menuItems().map((i) => i.textContent!.trim());
    expect(labels).toContain("Delete column B");
    expect(labels.some((l) => l.startsWith("Insert row") || l.startsWith("Delete row"))).toBe(false);
    wrapper.unmount();
  });

  it("offers no history unless asked to", async () => {
    const { wrapper, el } = grid({});
    await el.trigger("keydown", { key: "ContextMenu" });
    expect(menuItems().map((i) => i.textContent!.trim())).not.toContain("Edit history");
    await el.trigger("keydown", { key: "H", code: "KeyH", ctrlKey: true, altKey: true, shiftKey: true });
    expect(wrapper.emitted("showHistory")).toBeUndefined();
    wrapper.unmount();
  });

  it("asks for a comment on a read-only grid that may comment, and marks commented cells", async () => {
    const { sheet, wrapper, el } = grid({ canComment: true, readOnly: true });
    await el.trigger("keydown", { key: "ArrowRight" });
    await el.trigger("keydown", { key: "m", code: "KeyM", ctrlKey: true, altKey: true });
    await el.trigger("keydown", { key: "ContextMenu" });
    const items = menuItems();
    expect(items.map((i) => i.textContent!.trim())).toContain("Comment");
    items.find((i) => i.textContent!.trim() === "Comment")!.click();
    expect(wrapper.emitted("comment")).toEqual([[{ row: 0, col: 1 }], [{ row: 0, col: 1 }]]);
    const ids = sheet.idsAt(2, 3)!;
    await wrapper.setProps({ commented: new Set([`${ids.rowId}:${ids.colId}`]) });
    const marked = wrapper.findAll(".cell.commented");
    expect(marked.map((c) => [c.attributes("aria-colindex"), c.attributes("aria-description")])).toEqual([["5", "has comments"]]);
    wrapper.unmount();
  });

  it("marks highlighted cells as changed", async () => {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 10, cols: 5 });
    const ids = Sheet.of(doc).idsAt(0, 1)!;
    const { wrapper } = grid({});
    await wrapper.setProps({ sheet: Sheet.of(doc), highlighted: new Set([`${ids.rowId}:${ids.colId}`]) });
    const marked = wrapper.findAll(".cell.highlighted");
    expect(marked.map((c) => [c.attributes("aria-colindex"), c.attributes("aria-description")])).toEqual([["3", "changed"]]);
    wrapper.unmount();
  });
});

describe("a grid read aloud", () => {
  it("names column headers by their letter, and says the active cell's value, then its formula, again as anyone edits it", async () => {
    const doc = new Y.Doc();
    initSheet(doc, { rows: 10, cols: 5 });
    const sheet = Sheet.of(doc);
    sheet.setCellsA1({ A1: "=2+3" });
    const wrapper = mount(SheetGrid, { props: { sheet, version: 0, rowCount: 10, colCount: 5, peers: [] }, attachTo: document.body });
    const headers = wrapper.findAll("[role=columnheader][aria-colindex]").filter((h) => h.attributes("aria-colindex") !== "1");
    expect(headers.slice(0, 3).map((h) => h.attributes("aria-label"))).toEqual(["A", "B", "C"]);
    expect(wrapper.find(".header-row").attributes("aria-label")).toBe("Column letters");
    const live = () => wrapper.find("[aria-live=polite]").text();
    expect(live()).toBe("A1: 5, formula =2+3");
    // Someone else's edit (the page passes a new version) is said in turn.
    sheet.setCellsA1({ A1: "hello" });
    await wrapper.setProps({ version: 1 });
    expect(live()).toBe("A1: hello");
    wrapper.unmount();
  });
});
