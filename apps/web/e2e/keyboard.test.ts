import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, createSheet, e2eSuite, openSheet, shown, typeInto } from "./harness.js";

const env = e2eSuite();

const active = (page: Page) => page.getByLabel("Active cell").inputValue();
const cellBox = (page: Page, a1: string) => cell(page, a1).boundingBox();


describe("the keyboard alone", () => {
  it("enters, moves, jumps, selects, clears and cancels like a spreadsheet", async () => {
    const page = await env.newSheet("Keys");
    const keys = async (...list: string[]) => {
      for (const k of list) await page.keyboard.press(k);
    };
    await page.keyboard.type("a");
    await keys("Enter");
    expect(await active(page)).toBe("A2");
    await page.keyboard.type("b");
    await keys("Tab");
    expect(await active(page)).toBe("B2");
    await page.keyboard.type("c");
    await keys("Shift+Enter");
    expect(await active(page)).toBe("B1");
    await expect.poll(() => shown(page, "A1")).toBe("a");
    expect(await shown(page, "A2")).toBe("b");
    expect(await shown(page, "B2")).toBe("c");

    await keys("Control+Home", "Control+ArrowDown");
    expect(await active(page)).toBe("A2");
    await keys("Control+ArrowDown");
    expect(await active(page)).toBe("A1000");
    await keys("Control+Home", "End");
    expect(await active(page)).toBe("Z1");
    await keys("Control+End");
    expect(await active(page)).toBe("B2");
    await keys("PageDown");
    expect(Number((await active(page))!.slice(1))).toBeGreaterThan(10);

    // Escape cancels an edit; F2 edits in place, keeping the content.
    await keys("Control+Home");
    await page.keyboard.type("zzz");
    await keys("Escape");
    expect(await shown(page, "A1")).toBe("a");
    await keys("F2");
    await page.keyboard.type("!");
    await keys("Enter");
    await expect.poll(() => shown(page, "A1")).toBe("a!");

    // The live region says where we are and what is there.
    await keys("ArrowUp");
    await expect.poll(() => page.getByRole("grid").locator("[aria-live=polite]").textContent()).toBe("A1: a!");

    // Shift+arrows select; Delete clears the selection.
    await keys("Shift+ArrowDown", "Shift+ArrowRight");
    expect(await page.locator("[role=gridcell][aria-selected=true]").count()).toBe(4);
    await keys("Delete");
    for (const a1 of ["A1", "A2", "B2"]) await expect.poll(() => shown(page, a1)).toBe("");
  });

  it("inserts and deletes rows from the keyboard, and through the header menu", async () => {
    const page = await env.newSheet("Rows");
    await page.keyboard.type("first");
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Control+Alt+=");
    await expect.poll(() => shown(page, "A2")).toBe("first");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Shift+F10");
    // The menu takes the focus; the arrows go through its entries to the row's.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Cut");
    const labels = await page.getByRole("menuitem").allTextContents();
    for (let i = labels.findIndex((l) => l.trim() === "Delete row 2"); i > 0; i--) await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Delete row 2");
    await page.keyboard.press("Enter");
    await expect.poll(() => shown(page, "A2")).toBe("");
    expect(await page.getByRole("grid").getAttribute("aria-rowcount")).toBe("1001");
  });

  it("sums, averages and counts the selection, follows a second person's edits, and selects columns and rows by keyboard", async () => {
    const id = await createSheet(env.server.url, "Totals");
    const [a, b] = [await (await env.newContext()).newPage(), await (await env.newContext()).newPage()];
    for (const p of [a, b]) await openSheet(p, env.server.url, id);
    const summary = a.getByLabel("Selection summary");
    for (const input of ["10", "20", "text", "=A1*3"]) {
      await a.keyboard.type(input);
      await a.keyboard.press("Enter");
    }
    // One cell selected: no summary.
    expect(await summary.count()).toBe(0);
    await a.keyboard.press("Control+Home");
    for (let i = 0; i < 4; i++) await a.keyboard.press("Shift+ArrowDown");
    await expect.poll(() => summary.textContent()).toBe("Sum: 60Average: 20Count: 4");
    // Someone else changes a cell inside the selection.
    await typeInto(b, "A2", "35");
    await expect.poll(() => summary.textContent()).toBe("Sum: 75Average: 25Count: 4");
    // Text alone (A3 and the empty B3): a count, no sum.
    for (const k of ["Control+Home", "ArrowDown", "ArrowDown", "Shift+ArrowRight"]) await a.keyboard.press(k);
    await expect.poll(() => summary.textContent()).toBe("Count: 1");
    // Ctrl+Space: the whole column; Shift+Space: the whole row.
    await a.keyboard.press("Control+Home");
    await a.keyboard.press("Control+Space");
    await expect.poll(() => summary.textContent()).toBe("Sum: 75Average: 25Count: 4");
    await typeInto(a, "C1", "5");
    await a.keyboard.press("ArrowUp");
    await a.keyboard.press("Shift+Space");
    await expect.poll(() => summary.textContent()).toBe("Sum: 15Average: 7.5Count: 2");
  });

  it("shares a renamed title (in the browser's tab too) and more rows", async () => {
    const id = await createSheet(env.server.url, "Old title");
    const [a, b] = [await (await env.newContext()).newPage(), await (await env.newContext()).newPage()];
    for (const p of [a, b]) await openSheet(p, env.server.url, id);
    expect(await b.title()).toBe("Old title - Cosheet");
    await a.getByLabel("Sheet title").fill("New title");
    await a.getByLabel("Sheet title").press("Enter");
    await expect.poll(() => b.getByLabel("Sheet title").inputValue()).toBe("New title");
    // The browser's tab says it too, for both.
    await expect.poll(() => b.title()).toBe("New title - Cosheet");
    expect(await a.title()).toBe("New title - Cosheet");
    await a.getByRole("grid").evaluate((g) => (g.scrollTop = g.scrollHeight));
    await a.getByRole("button", { name: "Add 1,000 rows" }).click();
    await expect.poll(() => b.getByRole("grid").getAttribute("aria-rowcount")).toBe("2001");
  });

  it("goes back to the column a run of Tabs started in on Enter, as when typing rows of a table", async () => {
    const page = await env.newSheet("Rows of a table");
    await cell(page, "B2").click();
    for (const [i, text] of ["Fruit", "Price", "Sold"].entries()) {
      await page.keyboard.type(text);
      await page.keyboard.press(i === 2 ? "Enter" : "Tab");
    }
    expect(await active(page)).toBe("B3");
    await page.keyboard.type("pear");
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowRight"); // an arrow ends the run: Enter goes straight down
    await page.keyboard.press("Enter");
    expect(await active(page)).toBe("D4");
    expect(await Promise.all(["B2", "C2", "D2", "B3"].map((a) => shown(page, a)))).toEqual(["Fruit", "Price", "Sold", "pear"]);
  });

  it("goes to a cell or range typed into the name box, and says why for one it cannot", async () => {
    const page = await env.newSheet("Name box");
    const box = page.getByLabel("Active cell");
    await box.fill("C150");
    await box.press("Enter");
    expect(await active(page)).toBe("C150");
    await expect.poll(() => page.locator('[role=row][aria-rowindex="151"] > [role=gridcell][aria-colindex="4"]').isVisible()).toBe(true);
    await expect.poll(() => page.getByRole("grid").evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill("b2:d4");
    await box.press("Enter");
    await expect.poll(() => page.locator("[role=gridcell][aria-selected=true]").count()).toBe(9);
    for (const wrong of ["nowhere", "A5000"]) {
      await box.fill(wrong);
      await box.press("Enter");
      await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(wrong === "A5000" ? /past the sheet's 1,000 rows/ : /is not a cell or a range/);
      expect(await active(page)).toBe("B2");
    }
  });

  it("puts a line break in a cell with Alt+Enter, and runs long text on over empty cells until one is filled", async () => {
    const page = await env.newSheet("Text");
    await page.keyboard.type("first");
    await page.keyboard.press("Alt+Enter");
    await page.keyboard.type("second");
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => page.getByLabel("Cell contents").inputValue()).toBe("first\nsecond");
    await typeInto(page, "A3", "A sentence much too long for one column of the sheet");
    // The text is drawn past its cell, which stays as wide as its column.
    const width = async () => ((await cell(page, "A3").locator(".flow").count()) ? Math.round((await cell(page, "A3").locator(".flow").boundingBox())!.width) : 0);
    const column = await cellBox(page, "A4").then((b) => Math.round(b!.width));
    await expect.poll(width).toBeGreaterThan(2 * column);
    expect(await cellBox(page, "A3").then((b) => Math.round(b!.width))).toBe(column);
    // B3 is under A3's text: a click there selects B3 (placed by position), as do the arrows.
    const b3 = await cellBox(page, "B3");
    await page.mouse.click(b3!.x + b3!.width / 2, b3!.y + b3!.height / 2);
    expect(await active(page)).toBe("B3");
    await page.keyboard.type("x");
    await page.keyboard.press("Enter");
    await expect.poll(width).toBe(0);
    expect(await shown(page, "B3")).toBe("x");
  });

  it("fits a column to its widest content when its header's edge is double-clicked, for everyone", async () => {
    const id = await createSheet(env.server.url, "Fit");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "B2", "A heading much wider than a column");
    await typeInto(ada, "C1", "x");
    const header = (page: Page, letter: string) => page.locator(`[role=columnheader][aria-label="${letter}"]`).boundingBox().then((b) => Math.round(b!.width));
    expect(await header(ada, "B")).toBe(100);
    await ada.getByLabel("Resize column B").dblclick();
    await expect.poll(() => header(bob, "B")).toBeGreaterThan(200);
    await ada.getByLabel("Resize column C").dblclick();
    await expect.poll(() => header(bob, "C")).toBeLessThan(60);
  });

  it("shows a number with fewer decimals where its column is too narrow, and ### where none fits", async () => {
    const page = await env.newSheet("Narrow");
    await typeInto(page, "A1", "3.14159265358979");
    await typeInto(page, "A2", "123456789012345678");
    await typeInto(page, "A3", "=PI()*1000");
    const a1 = await shown(page, "A1");
    expect(a1.length).toBeLessThan(16);
    expect(Number(a1)).toBeCloseTo(Math.PI, 3);
    expect(await shown(page, "A2")).toMatch(/^#+$/);
    // What was typed is kept whole: only the cell shows less of it.
    await cell(page, "A2").click();
    expect(await page.getByLabel("Cell contents").inputValue()).toBe("123456789012345678");
    await page.getByLabel("Resize column A").dblclick();
    await expect.poll(() => shown(page, "A2")).toBe("123456789012345678");
    expect(await shown(page, "A1")).toBe("3.14159265358979");
  });
});

describe("headers with the mouse", () => {
  it("extend a selection of whole columns by Shift+click, and of whole rows by dragging", async () => {
    const page = await env.newSheet("Headers");
    const columns = () => page.locator("[role=columnheader].current").allTextContents().then((t) => t.map((x) => x.trim()));
    await page.locator('[role=columnheader][aria-label="B"]').click();
    await page.locator('[role=columnheader][aria-label="D"]').click({ modifiers: ["Shift"] });
    await expect.poll(columns).toEqual(["B", "C", "D"]);
    const rowHeader = (n: number) => page.locator(`[role=row][aria-rowindex="${n + 1}"] [role=rowheader]`);
    const [from, to] = [(await rowHeader(2).boundingBox())!, (await rowHeader(5).boundingBox())!];
    await page.mouse.move(from.x + 10, from.y + 10);
    await page.mouse.down();
    await page.mouse.move(to.x + 10, to.y + 10, { steps: 4 });
    await page.mouse.up();
    const rows = await page.locator(".row-header.current").allTextContents();
    expect(rows.map((t) => t.trim())).toEqual(["2", "3", "4", "5"]);
    // Whole rows: their menu deletes all four.
    await rowHeader(3).click({ button: "right" });
    await expect.poll(() => page.getByRole("menuitem", { name: "Delete rows 2–5" }).count()).toBe(1);
  });
});
