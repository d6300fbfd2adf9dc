import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, copy, createSheet, e2eSuite, paste, shown, typeInto } from "./harness.js";

const env = e2eSuite();

const tabNames = (page: Page) => page.getByRole("tab").allTextContents().then((names) => names.map((n) => n.trim()));
const activeTab = (page: Page) => page.getByRole("tab", { selected: true }).textContent().then((n) => n?.trim());
const peerTags = (page: Page) => page.locator(".peer-cursor .tag").allTextContents();

describe("tabs", () => {
  it("are added, renamed, moved, deleted and undone live, each with its own cells, and cursors show on their own tab", async () => {
    const id = await createSheet(env.server.url, "Workbook");
    const ada = await env.person(id, { name: "Ada", color: "#c2410c" });
    const bob = await env.person(id, { name: "Bob", color: "#0369a1" });
    await typeInto(ada, "A1", "on the first");
    expect(await tabNames(ada)).toEqual(["Sheet1"]);

    await ada.getByRole("button", { name: "Add tab" }).click();
    await expect.poll(() => activeTab(ada)).toBe("Sheet2");
    expect(await shown(ada, "A1")).toBe("");
    await typeInto(ada, "A1", "on the second");
    await expect.poll(() => tabNames(bob)).toEqual(["Sheet1", "Sheet2"]);
    // Bob is still on the first tab: Ada's cursor is on another tab, so it does not show.
    expect(await shown(bob, "A1")).toBe("on the first");
    expect(await peerTags(bob)).toEqual([]);
    await bob.getByRole("tab", { name: "Sheet2" }).click();
    await expect.poll(() => shown(bob, "A1")).toBe("on the second");
    await expect.poll(() => peerTags(bob)).toEqual(["Ada"]);

    // Rename by double-click; everyone sees it.
    await ada.getByRole("tab", { name: "Sheet2" }).dblclick();
    await ada.getByRole("textbox", { name: "Tab name" }).fill("Data");
    await ada.keyboard.press("Enter");
    await expect.poll(() => tabNames(bob)).toEqual(["Sheet1", "Data"]);

    // Move it first from its menu; Ctrl+PageDown goes to the next tab.
    await ada.getByRole("tab", { name: "Data" }).click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Move left" }).click();
    await expect.poll(() => tabNames(bob)).toEqual(["Data", "Sheet1"]);
    await cell(ada, "B2").click();
    await ada.keyboard.press("Control+PageDown");
    await expect.poll(() => activeTab(ada)).toBe("Sheet1");
    expect(await shown(ada, "A1")).toBe("on the first");

    // Deleting it takes Bob, who was on it, to the tab now in its place; undo brings it back.
    await ada.getByRole("tab", { name: "Data" }).click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Delete" }).click();
    await ada.getByText("Deleted the tab “Data”. Undo (Ctrl+Z) brings it back.").waitFor();
    await expect.poll(() => tabNames(bob)).toEqual(["Sheet1"]);
    expect(await activeTab(bob)).toBe("Sheet1");
    await ada.getByRole("grid").press("Control+z");
    await expect.poll(() => tabNames(bob)).toEqual(["Data", "Sheet1"]);
    await bob.getByRole("tab", { name: "Data" }).click();
    await expect.poll(() => shown(bob, "A1")).toBe("on the second");
    // Ada sees where Bob is.
    await ada.getByLabel("People here").getByText("on Data").waitFor();

    // A formula reading the other tab, its name completed while typing; it follows Bob's edits there.
    await cell(ada, "B1").click();
    await ada.keyboard.type("=LEN(da");
    await ada.getByRole("option", { name: "Data!" }).waitFor();
    await ada.keyboard.press("Tab");
    await ada.keyboard.type("A1)");
    await ada.keyboard.press("Enter");
    await expect.poll(() => shown(ada, "B1")).toBe(String("on the second".length));
    await typeInto(bob, "A1", "abc");
    await expect.poll(() => shown(ada, "B1")).toBe("3");
  });

  it("copy cells with formulas from one tab and paste them on another, and undo the paste", async () => {
    const id = await createSheet(env.server.url, "Copy across tabs");
    const ada = await env.person(id);
    await ada.getByRole("button", { name: "Add tab" }).click();
    await expect.poll(() => activeTab(ada)).toBe("Sheet2");
    await typeInto(ada, "A1", "5");
    await typeInto(ada, "B2", "4");
    await ada.getByRole("tab", { name: "Sheet1" }).click();
    await typeInto(ada, "A1", "2");
    await typeInto(ada, "B1", "=A1*Sheet2!$A$1");
    await expect.poll(() => shown(ada, "B1")).toBe("10");
    await cell(ada, "B1").click();
    const copied = await copy(ada);
    await ada.getByRole("tab", { name: "Sheet2" }).click();
    await cell(ada, "C2").click();
    await paste(ada, copied);
    // The relative reference now reads this tab's B2; the absolute one still reads Sheet2's A1.
    await expect.poll(() => shown(ada, "C2")).toBe("20");
    await cell(ada, "C2").click();
    expect(await ada.getByLabel("Cell contents").inputValue()).toBe("=B2*Sheet2!$A$1");
    await ada.getByRole("grid").press("Control+z");
    await expect.poll(() => shown(ada, "C2")).toBe("");
    await ada.getByRole("tab", { name: "Sheet1" }).click();
    expect(await shown(ada, "B1")).toBe("10");
  });

  it("are duplicated, coloured and reordered by dragging and from the keyboard, for everyone", async () => {
    const id = await createSheet(env.server.url, "Reorder");
    const ada = await env.person(id, { name: "Ada", color: "#c2410c" });
    const bob = await env.person(id, { name: "Bob", color: "#0369a1" });
    await typeInto(ada, "A1", "first tab");
    await ada.getByRole("tab", { name: "Sheet1" }).click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Duplicate" }).click();
    await ada.getByRole("button", { name: "Add tab" }).click();
    await expect.poll(() => tabNames(bob)).toEqual(["Sheet1", "Sheet1 (copy)", "Sheet3"]);
    await bob.getByRole("tab", { name: "Sheet1 (copy)" }).click();
    await expect.poll(() => shown(bob, "A1")).toBe("first tab");

    // Dragging Sheet3 onto Sheet1 puts it first.
    await ada.getByRole("tab", { name: "Sheet3" }).dragTo(ada.getByRole("tab", { name: "Sheet1", exact: true }));
    await expect.poll(() => tabNames(bob)).toEqual(["Sheet3", "Sheet1", "Sheet1 (copy)"]);

    // From the keyboard: Shift+F10 opens the tab's menu, whose items take the arrow keys.
    await ada.getByRole("tab", { name: "Sheet3" }).click();
    await ada.getByRole("tab", { name: "Sheet3" }).press("Shift+F10");
    const moveRight = ada.getByRole("menuitem", { name: "Move right" });
    await moveRight.waitFor();
    while (!(await moveRight.evaluate((el) => el === document.activeElement))) await ada.keyboard.press("ArrowDown");
    await ada.keyboard.press("Enter");
    await expect.poll(() => tabNames(bob)).toEqual(["Sheet1", "Sheet3", "Sheet1 (copy)"]);

    await ada.getByRole("tab", { name: "Sheet3" }).click({ button: "right" });
    await ada.getByRole("menuitem", { name: /^Colour: / }).first().click();
    await expect.poll(() => bob.getByRole("tab", { name: "Sheet3" }).evaluate((el) => getComputedStyle(el).borderBottomColor)).not.toBe(
      await bob.getByRole("tab", { name: "Sheet1", exact: true }).evaluate((el) => getComputedStyle(el).borderBottomColor),
    );
  });
});
