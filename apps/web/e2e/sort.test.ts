import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, createSheet, e2eSuite, paste, shown } from "./harness.js";

const env = e2eSuite();

const column = (page: Page, letter: string, rows: number) =>
  Promise.all(Array.from({ length: rows }, (_, i) => shown(page, `${letter}${i + 1}`)));

async function table(page: Page): Promise<void> {
  await cell(page, "A1").click();
  await paste(page, "Name\tScore\nCarol\t7\nAda\t9\nBob\t3\nDan\t5");
  await expect.poll(() => shown(page, "B5")).toBe("5");
}

describe("sorting", () => {
  it("sorts the table from the dialog while someone else edits a row, whose edit stays in that row", async () => {
    const id = await createSheet(env.server.url, "Scores");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await table(ada);
    await expect.poll(() => shown(bob, "A3")).toBe("Ada");
    // Bob starts typing a note on Ada's row (row 3) and is still typing when the sort comes.
    await cell(bob, "C3").click();
    await bob.keyboard.type("top score");

    await cell(ada, "A1").click();
    await ada.getByRole("button", { name: "Sort…" }).click();
    const dialog = ada.getByRole("dialog", { name: "Sort rows 2–5" });
    await expect.poll(() => dialog.getByRole("checkbox", { name: "Data has a header row" }).isChecked()).toBe(true);
    await dialog.getByRole("combobox", { name: "Sort by column" }).selectOption({ label: "B · Score" });
    await dialog.getByRole("combobox", { name: "Order of B · Score" }).selectOption({ label: "Z → A" });
    await dialog.getByRole("button", { name: "Sort", exact: true }).click();

    for (const page of [ada, bob]) await expect.poll(() => column(page, "A", 5)).toEqual(["Name", "Ada", "Carol", "Dan", "Bob"]);
    await bob.keyboard.press("Enter");
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "C2")).toBe("top score");
      expect(await column(page, "B", 5)).toEqual(["Score", "9", "7", "5", "3"]);
    }
    // Undo puts the rows back, and the note goes back with its row.
    await ada.keyboard.press("Control+z");
    for (const page of [ada, bob]) {
      await expect.poll(() => column(page, "A", 5)).toEqual(["Name", "Carol", "Ada", "Bob", "Dan"]);
      expect(await shown(page, "C3")).toBe("top score");
    }
  });

  it("sorts the rows below a frozen header from a column's menu, and offers sorting in the cell menu from the keyboard", async () => {
    const page = await env.newSheet("Header menu");
    await table(page);
    await page.getByLabel("Freeze rows").selectOption("1");
    await page.locator('[role=columnheader][aria-colindex="2"]').click({ button: "right" });
    await page.getByRole("menuitem", { name: "Sort sheet by A, A → Z" }).click();
    await expect.poll(() => column(page, "A", 5)).toEqual(["Name", "Ada", "Bob", "Carol", "Dan"]);
    await page.locator('[role=columnheader][aria-colindex="3"]').click({ button: "right" });
    await page.getByRole("menuitem", { name: "Sort sheet by B, Z → A" }).click();
    await expect.poll(() => column(page, "B", 5)).toEqual(["Score", "9", "7", "5", "3"]);

    await cell(page, "A3").click();
    await page.keyboard.press("Shift+ArrowDown");
    await page.keyboard.press("Shift+ArrowDown");
    await page.keyboard.press("Shift+F10");
    await page.getByRole("menuitem", { name: "Sort range…" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Sort rows 3–5" });
    await dialog.getByRole("button", { name: "Sort", exact: true }).click();
    await expect.poll(() => column(page, "A", 5)).toEqual(["Name", "Ada", "Bob", "Carol", "Dan"]);
  });
});
