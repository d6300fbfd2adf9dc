import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { asOwner, cell, copy, createSheet, e2eSuite, paste, shown } from "./harness.js";

const env = e2eSuite();

/** The sheet rows (from 1) the grid shows, of the first `rows`. */
async function shownRows(page: Page, rows: number): Promise<number[]> {
  const out: number[] = [];
  for (let r = 1; r <= rows; r++) if ((await page.locator(`[role=row][aria-rowindex="${r + 1}"]`).count()) > 0) out.push(r);
  return out;
}

async function table(page: Page): Promise<void> {
  await cell(page, "A1").click();
  await paste(page, "Name\tTeam\tScore\nAda\tred\t9\nBob\tblue\t3\nCarol\tred\t7\nDan\tgreen\t5");
  await expect.poll(() => shown(page, "C5")).toBe("5");
}

/** Opens the filter of a column from its header button. */
async function filterOf(page: Page, letter: string, name: string) {
  await page.getByRole("button", { name: new RegExp(`^Filter column ${letter}`) }).click();
  return page.getByRole("dialog", { name: new RegExp(`^Filter “${name}”`) });
}

describe("filters", () => {
  it("one person's filter hides rows for them alone, until they make it the filter for everyone", async () => {
    const id = await createSheet(env.server.url, "Teams");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await table(ada);
    await expect.poll(() => shown(bob, "A5")).toBe("Dan");

    // Ada filters her own view: only the red team.
    await cell(ada, "A1").click();
    await ada.getByRole("button", { name: "Filter", exact: true }).click();
    let dialog = await filterOf(ada, "B", "Team");
    await expect.poll(() => dialog.getByText("Only you see this filter.").count()).toBe(1);
    await dialog.getByRole("button", { name: "Clear" }).click();
    await dialog.getByRole("checkbox", { name: /^red/ }).check();
    await dialog.getByRole("button", { name: "OK" }).click();
    await expect.poll(() => shownRows(ada, 6)).toEqual([1, 2, 4, 6]);
    await expect.poll(() => ada.getByRole("button", { name: "Filter column B (filtered)" }).count()).toBe(1);
    // The arrow keys step over what is hidden.
    await cell(ada, "A2").click();
    await ada.keyboard.press("ArrowDown");
    await expect.poll(() => ada.getByRole("textbox", { name: "Active cell" }).inputValue()).toBe("A4");
    // Bob sees every row, and no filter.
    await bob.waitForTimeout(300);
    expect(await shownRows(bob, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await bob.getByRole("button", { name: /^Filter column/ }).count()).toBe(0);

    // Ada shares it: Bob sees the same rows hidden, and new rows that do not pass are hidden too.
    dialog = await filterOf(ada, "B", "Team");
    await dialog.getByRole("checkbox", { name: "Filter for everyone" }).check();
    await expect.poll(() => dialog.getByText("Everyone sees this filter.").count()).toBe(1);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => shownRows(bob, 6)).toEqual([1, 2, 4, 6]);
    await cell(bob, "A6").click();
    await paste(bob, "Eve\tblue\t8");
    await expect.poll(() => shownRows(bob, 7)).toEqual([1, 2, 4, 7]);
    await expect.poll(() => shownRows(ada, 7)).toEqual([1, 2, 4, 7]);

    // Bob narrows it for everyone by a condition on the scores.
    dialog = await filterOf(bob, "C", "Score");
    await dialog.getByRole("combobox", { name: "Condition" }).selectOption({ label: "Greater than" });
    await dialog.getByRole("textbox", { name: "Value" }).fill("8");
    await dialog.getByRole("button", { name: "OK" }).click();
    for (const page of [ada, bob]) await expect.poll(() => shownRows(page, 7)).toEqual([1, 2, 7]);

    // The filter is kept with the sheet: a new visitor sees it. Then Bob removes it for everyone.
    const carol = await env.person(id);
    await expect.poll(() => shownRows(carol, 7)).toEqual([1, 2, 7]);
    await bob.getByRole("button", { name: "Filter", exact: true }).click();
    for (const page of [ada, bob, carol]) await expect.poll(() => shownRows(page, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("lets a viewer filter their own view of a sheet they cannot change, and sorts from the filter", async () => {
    const id = await createSheet(env.server.url, "Read only");
    const owner = await env.person(id);
    await table(owner);
    const res = await fetch(`${env.server.url}/api/sheets/${id}/links`, {
      method: "POST",
      headers: { "content-type": "application/json", ...asOwner(id) },
      body: JSON.stringify({ role: "view" }),
    });
    const viewer = await (await env.newContext()).newPage();
    await viewer.goto(`${env.server.url}${((await res.json()) as { url: string }).url}`);
    await viewer.getByText("View only").waitFor();
    await expect.poll(() => shown(viewer, "A5")).toBe("Dan");

    await cell(viewer, "A1").click();
    await viewer.getByRole("button", { name: "Filter", exact: true }).click();
    const dialog = await filterOf(viewer, "A", "Name");
    expect(await dialog.getByRole("checkbox", { name: "Filter for everyone" }).isDisabled()).toBe(true);
    expect(await dialog.getByRole("button", { name: "Sort A → Z" }).count()).toBe(0);
    await dialog.getByRole("searchbox", { name: "Search the values" }).fill("a");
    await dialog.getByRole("button", { name: "Clear" }).click();
    await dialog.getByRole("button", { name: "OK" }).click();
    // Ada, Carol and Dan have an "a": hidden; Bob is left.
    await expect.poll(() => shownRows(viewer, 5)).toEqual([1, 3]);
    expect(await shownRows(owner, 5)).toEqual([1, 2, 3, 4, 5]);

    // The owner sorts by score from a filter of their own.
    await cell(owner, "A1").click();
    await owner.getByRole("button", { name: "Filter", exact: true }).click();
    const sorting = await filterOf(owner, "C", "Score");
    await sorting.getByRole("button", { name: "Sort Z → A" }).click();
    await expect.poll(() => Promise.all(["A2", "A3", "A4", "A5"].map((a) => shown(owner, a)))).toEqual(["Ada", "Carol", "Dan", "Bob"]);
    // The viewer's filter still hides the same people, wherever their rows went.
    await expect.poll(() => shownRows(viewer, 5)).toEqual([1, 5]);
    expect(await shown(viewer, "A5")).toBe("Bob");
  });

  it("copies and clears only the rows it shows, as spreadsheets do", async () => {
    const page = await env.newSheet("Visible only");
    await table(page);
    await cell(page, "A1").click();
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    const dialog = await filterOf(page, "B", "Team");
    await dialog.getByRole("checkbox", { name: /^blue/ }).uncheck();
    await dialog.getByRole("button", { name: "OK" }).click();
    await expect.poll(() => shownRows(page, 5)).toEqual([1, 2, 4, 5]);

    await cell(page, "A2").click();
    await cell(page, "C5").click({ modifiers: ["Shift"] });
    expect((await copy(page)).text).toBe("Ada\tred\t9\r\nCarol\tred\t7\r\nDan\tgreen\t5");
    await page.keyboard.press("Delete");
    await expect.poll(() => shown(page, "A2")).toBe("");
    // Bob's row, hidden, is as it was once the filter goes.
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await expect.poll(() => shownRows(page, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(await Promise.all(["A3", "B3", "C3", "A4", "A5"].map((a) => shown(page, a)))).toEqual(["Bob", "blue", "3", "", ""]);
    // One step undoes the clear.
    await page.keyboard.press("Control+z");
    await expect.poll(() => Promise.all(["A2", "A4", "A5"].map((a) => shown(page, a)))).toEqual(["Ada", "Carol", "Dan"]);
  });
});
