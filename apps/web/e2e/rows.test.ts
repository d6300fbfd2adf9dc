import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, createSheet, e2eSuite, shown, typeInto } from "./harness.js";

const env = e2eSuite();

const heightOf = async (page: Page, row: number) => (await page.locator(`[role=row][aria-rowindex="${row + 1}"]`).boundingBox())!.height;

describe("row heights", () => {
  it("grow with wrapped text and line breaks for everyone, and follow a drag on the row's edge", async () => {
    const id = await createSheet(env.server.url, "Wrapped");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "A long text that wraps over several lines in its column");
    await cell(ada, "A1").click();
    await ada.getByRole("button", { name: "Wrap text" }).click();
    await expect.poll(() => ada.getByRole("button", { name: "Wrap text" }).getAttribute("aria-pressed")).toBe("true");
    // Five lines of 17 px and their padding, in both browsers; the text does not run on into B1.
    for (const page of [ada, bob]) await expect.poll(() => heightOf(page, 1)).toBe(5 * 17 + 6);
    expect(await ada.locator(`[role=row][aria-rowindex="2"] .flow`).count()).toBe(0);

    // A line break (Alt+Enter) wraps the cell by itself, as in Excel.
    await cell(bob, "A2").click();
    await bob.keyboard.type("first line");
    await bob.keyboard.press("Alt+Enter");
    await bob.keyboard.type("second line");
    await bob.keyboard.press("Enter");
    for (const page of [ada, bob]) await expect.poll(() => heightOf(page, 2)).toBe(2 * 17 + 6);
    expect(await shown(ada, "A2")).toBe("first line\nsecond line");

    // Ada drags row 3's lower edge down 40 px: Bob sees it; a double-click there fits it again.
    const edge = ada.getByRole("separator", { name: "Resize row 3" });
    const box = (await edge.boundingBox())!;
    await ada.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await ada.mouse.down();
    await ada.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 40, { steps: 4 });
    await ada.mouse.up();
    for (const page of [ada, bob]) await expect.poll(() => heightOf(page, 3)).toBe(64);
    // Typing in the taller row sits at its bottom; the rows below moved down.
    await typeInto(bob, "B3", "at the bottom");
    const [row4, row3] = [await bob.locator(`[role=row][aria-rowindex="5"]`).boundingBox(), await bob.locator(`[role=row][aria-rowindex="4"]`).boundingBox()];
    expect(row4!.y).toBeCloseTo(row3!.y + 64, 0);
    await ada.getByRole("separator", { name: "Resize row 3" }).dblclick();
    for (const page of [ada, bob]) await expect.poll(() => heightOf(page, 3)).toBe(24);
    // One Ctrl+Z puts the height back.
    await ada.keyboard.press("Control+z");
    await expect.poll(() => heightOf(bob, 3)).toBe(64);
  });

  it("underline, strikethrough and font size from the keyboard and the toolbar, a bigger font making its row taller", async () => {
    const page = await env.newSheet("Fonts");
    await typeInto(page, "A1", "styled");
    await cell(page, "A1").click();
    await page.keyboard.press("Control+u");
    await page.keyboard.press("Alt+Shift+Digit5");
    await page.getByLabel("Font size").selectOption("24");
    await expect.poll(() => cell(page, "A1").evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe("underline line-through");
    await expect.poll(() => cell(page, "A1").evaluate((el) => getComputedStyle(el).fontSize)).toBe("31px");
    await expect.poll(() => heightOf(page, 1)).toBe(Math.round(31 * 1.3) + 6);
    await page.getByRole("button", { name: "Align top" }).click();
    await expect.poll(() => cell(page, "A1").evaluate((el) => getComputedStyle(el).alignContent)).toBe("start");
  });
});

describe("merged cells", () => {
  it("merge into one cell for everyone, are selected and stepped over whole, and unmerge from the cell's menu", async () => {
    const id = await createSheet(env.server.url, "Merged");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "Quarterly report");
    await typeInto(ada, "B1", "lost");
    await cell(ada, "A1").click();
    await cell(ada, "C2").click({ modifiers: ["Shift"] });
    await ada.getByRole("button", { name: "Merge cells" }).click();
    await ada.getByText(/only the upper-left value is kept \(1 cell cleared\)/).waitFor();
    for (const page of [ada, bob]) {
      await expect.poll(() => cell(page, "B1").count()).toBe(0);
      const box = (await cell(page, "A1").boundingBox())!;
      expect([Math.round(box.width), Math.round(box.height)]).toEqual([300, 48]);
      expect(await shown(page, "A1")).toBe("Quarterly report");
    }
    // A click on a covered cell selects the area, its top-left cell active; the arrows step over it.
    const name = bob.getByRole("textbox", { name: "Active cell" });
    await bob.mouse.click(...(await pointIn(bob, "A1", 250, 36)));
    await expect.poll(() => name.inputValue()).toBe("A1");
    await bob.keyboard.press("ArrowRight");
    await expect.poll(() => name.inputValue()).toBe("D1");
    await bob.keyboard.press("ArrowLeft");
    await expect.poll(() => name.inputValue()).toBe("A1");
    await bob.keyboard.press("ArrowDown");
    await expect.poll(() => name.inputValue()).toBe("A3");
    // Typing into the area writes its top-left cell.
    await bob.keyboard.press("ArrowUp");
    await bob.keyboard.type("Q3 report");
    await bob.keyboard.press("Enter");
    await expect.poll(() => shown(ada, "A1")).toBe("Q3 report");

    await cell(ada, "A1").click();
    await ada.keyboard.press("Shift+F10");
    await ada.getByRole("menuitem", { name: "Unmerge cells" }).click();
    for (const page of [ada, bob]) await expect.poll(() => cell(page, "B1").count()).toBe(1);
    await ada.keyboard.press("Control+z");
    for (const page of [ada, bob]) await expect.poll(() => cell(page, "B1").count()).toBe(0);
    // Extending a merged selection keeps the area whole: bold reaches its top-left cell too.
    await cell(ada, "A1").click();
    await ada.keyboard.press("Shift+ArrowRight");
    await ada.keyboard.press("Control+b");
    await expect.poll(() => cell(bob, "A1").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
    await expect.poll(() => cell(bob, "D2").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
  });
});

/** A point `dx`, `dy` px from a cell's top-left corner, as the mouse takes it. */
async function pointIn(page: Page, a1: string, dx: number, dy: number): Promise<[number, number]> {
  const box = (await cell(page, a1).boundingBox())!;
  return [box.x + dx, box.y + dy];
}
