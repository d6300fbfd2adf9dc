import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { e2eSuite, shown, typeInto } from "./harness.js";

const env = e2eSuite();

const rowCount = (page: Page) => page.getByRole("grid").getAttribute("aria-rowcount").then((n) => Number(n) - 1);
const rowHeader = (page: Page, row: number) => page.locator(`[role=row][aria-rowindex="${row + 1}"] [role=rowheader]`);
const focused = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim());


describe("deleting rows", () => {
  it("a row's menu deletes that row, not the rows of a selected column, and never every row", async () => {
    const page = await env.newSheet("One row");
    await typeInto(page, "A4", "four");
    await typeInto(page, "A5", "five");
    await typeInto(page, "A6", "six");
    await page.locator('[role=columnheader][aria-colindex="2"]').click();
    await rowHeader(page, 5).click({ button: "right" });
    await page.getByRole("menuitem", { name: "Delete row 5" }).click();
    await expect.poll(() => shown(page, "A5")).toBe("six");
    expect(await shown(page, "A4")).toBe("four");
    expect(await rowCount(page)).toBe(999);

    await page.getByRole("columnheader", { name: "Select all" }).click();
    await rowHeader(page, 5).click({ button: "right" });
    const all = page.getByRole("menuitem", { name: "Delete rows 1–999" });
    expect(await all.getAttribute("aria-disabled")).toBe("true");
    expect(await all.textContent()).toContain("You can't delete all the rows on the sheet");
    // Chosen from the keyboard (the last item, up from the first), it does nothing.
    await page.keyboard.press("ArrowUp");
    expect(await focused(page)).toContain("Delete rows 1–999");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Escape");
    expect(await page.getByRole("menu").count()).toBe(0);
    await page.keyboard.press("Control+Alt+-");
    await page.getByRole("alert").filter({ hasText: "You can't delete all the columns on the sheet" }).waitFor();
    expect(await rowCount(page)).toBe(999);
    expect(await shown(page, "A5")).toBe("six");
  });

  it("asks before deleting more than 100 rows: Escape keeps them, Enter deletes them, Ctrl+Z undoes", async () => {
    const page = await env.newSheet("Many rows");
    await page.keyboard.type("first");
    await page.keyboard.press("Enter");
    for (let i = 0; i < 148; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.type("last");
    await page.keyboard.press("Enter");
    await page.keyboard.type("stays");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("Control+Shift+ArrowDown");
    expect(await page.getByLabel("Active cell").inputValue()).toBe("A150");

    const question = "Delete 150 rows? Everyone in the sheet loses them; you can undo with Ctrl+Z.";
    const dialog = page.getByRole("alertdialog", { name: question });
    await page.keyboard.press("Control+Alt+-");
    await dialog.waitFor();
    await expect.poll(() => focused(page)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await rowCount(page)).toBe(1000);
    await page.keyboard.press("Control+Home");
    expect(await shown(page, "A1")).toBe("first");

    await page.keyboard.press("Control+Shift+ArrowDown");
    await page.keyboard.press("Control+Alt+-");
    await dialog.waitFor();
    // The focus stays in the dialog: Tab goes round its two buttons.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("Delete 150 rows");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("Cancel");
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toBe("Delete 150 rows");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => rowCount(page)).toBe(850);
    await page.keyboard.press("Control+Home");
    expect(await shown(page, "A1")).toBe("stays");

    await page.keyboard.press("Control+z");
    await expect.poll(() => rowCount(page)).toBe(1000);
    expect(await shown(page, "A1")).toBe("first");
  });

  it("asks before the header menu deletes more than 100 rows", async () => {
    const page = await env.newSheet("Menu");
    await page.getByRole("columnheader", { name: "Select all" }).click();
    await page.keyboard.press("Shift+ArrowUp"); // rows 1–999, shown from the bottom
    await rowHeader(page, 990).click({ button: "right" });
    await page.getByRole("menuitem", { name: "Delete rows 1–999" }).click();
    const dialog = page.getByRole("alertdialog", { name: /^Delete 999 rows\?/ });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await rowCount(page)).toBe(1000);
  });
});
