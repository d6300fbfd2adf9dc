import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, e2eSuite, paste, shown, typeInto } from "./harness.js";

const env = e2eSuite();

/** Opens the active cell's menu from the keyboard and chooses an entry. */
async function fromMenu(page: Page, entry: string): Promise<void> {
  await page.keyboard.press("Shift+F10");
  const item = page.getByRole("menuitem", { name: entry, exact: true });
  await item.focus();
  await page.keyboard.press("Enter");
}

describe("the cell menu", () => {
  it("copies what cells show, pastes values only, clears, and a single value fills a selection, all from the keyboard", async () => {
    const page = await env.newSheet("Menu");
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.server.url });
    await typeInto(page, "A1", "=2+3");
    await typeInto(page, "A2", "plain");
    await cell(page, "A1").click();
    await page.keyboard.press("Shift+ArrowDown");
    await fromMenu(page, "Copy");
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^5\r?\nplain$/);

    await cell(page, "C1").click();
    await fromMenu(page, "Paste values only");
    await expect.poll(() => shown(page, "C2")).toBe("plain");
    await cell(page, "C1").click();
    expect(await page.getByLabel("Cell contents").inputValue()).toBe("5");
    await cell(page, "E1").click();
    await fromMenu(page, "Paste");
    await expect.poll(() => shown(page, "E1")).toBe("5");
    await cell(page, "E1").click();
    expect(await page.getByLabel("Cell contents").inputValue()).toBe("=2+3");

    // One value pasted onto a selection fills it.
    await cell(page, "C4").click();
    await page.keyboard.press("Shift+ArrowDown");
    await page.keyboard.press("Shift+ArrowRight");
    await paste(page, "7");
    await expect.poll(() => Promise.all(["C4", "D4", "C5", "D5"].map((a) => shown(page, a)))).toEqual(["7", "7", "7", "7"]);
    await fromMenu(page, "Clear");
    await expect.poll(() => Promise.all(["C4", "D4", "C5", "D5"].map((a) => shown(page, a)))).toEqual(["", "", "", ""]);
    // The row's commands are in the same menu.
    await cell(page, "A2").click();
    await fromMenu(page, "Insert row above");
    await expect.poll(() => shown(page, "A3")).toBe("plain");
  });
});
