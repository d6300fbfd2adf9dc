import { describe, expect, it } from "vitest";
import { cell, e2eSuite, paste, shown } from "./harness.js";

const env = e2eSuite();

/** Whether a cell is rendered and inside the grid's visible area. */
async function onScreen(page: import("playwright-core").Page, a1: string): Promise<boolean> {
  if ((await cell(page, a1).count()) === 0) return false;
  const [box, grid] = await Promise.all([cell(page, a1).boundingBox(), page.getByRole("grid").boundingBox()]);
  return !!box && !!grid && box.y >= grid.y && box.y + box.height <= grid.y + grid.height;
}

describe("find and replace", () => {
  it("finds matches off screen with Ctrl+F, steps through them both ways, and counts them", async () => {
    const page = await env.newSheet("Find");
    const lines = Array.from({ length: 400 }, (_, i) => (i === 249 ? "Needle\t1" : i === 379 ? "x\t=\"need\"&\"le\"" : `hay ${i}\t${i}`));
    await cell(page, "A1").click();
    await paste(page, lines.join("\n"));
    await expect.poll(() => shown(page, "A1")).toBe("hay 0");
    expect(await onScreen(page, "A250")).toBe(false);

    await page.keyboard.press("Control+f");
    const box = page.getByRole("searchbox", { name: "Find in sheet" });
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill("needle");
    await box.press("Enter");
    // The first match is scrolled into view and active; the focus stays in the box.
    await expect.poll(() => onScreen(page, "A250")).toBe(true);
    await expect.poll(() => page.getByRole("search").getByRole("status").textContent()).toBe("1 of 2");
    await box.press("Enter");
    await expect.poll(() => page.getByRole("search").getByRole("status").textContent()).toBe("2 of 2");
    expect(await onScreen(page, "B380")).toBe(true);
    await box.press("Shift+Enter");
    await expect.poll(() => page.getByRole("search").getByRole("status").textContent()).toBe("1 of 2");
    // Match case leaves the formula's "needle" out; Escape gives the grid the focus back.
    await page.getByRole("checkbox", { name: "Match case" }).check();
    await box.fill("Needle");
    await expect.poll(() => page.getByRole("search").getByRole("status").textContent()).toBe("1 of 1");
    await box.press("Escape");
    await expect.poll(() => page.getByRole("search").count()).toBe(0);
    await expect.poll(() => page.getByRole("grid").evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it("replaces all with Ctrl+H in one undo step, seen by someone else", async () => {
    const page = await env.newSheet("Replace");
    await cell(page, "A1").click();
    await paste(page, "red apple\tgreen\nred\tred car\n=\"red\"\tblue");
    await expect.poll(() => shown(page, "B2")).toBe("red car");
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const other = await env.person(id);

    await page.keyboard.press("Control+h");
    await page.getByRole("searchbox", { name: "Find in sheet" }).fill("red");
    await page.getByRole("textbox", { name: "Replace with" }).fill("blue");
    await expect.poll(() => page.getByRole("search").getByRole("status").textContent()).toMatch(/of 4$/);
    await page.getByRole("button", { name: "Replace all" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/Replaced in 3 cells; 1 cell matched by the value a formula/);
    for (const p of [page, other]) {
      await expect.poll(() => Promise.all(["A1", "A2", "B2", "A3"].map((a) => shown(p, a)))).toEqual(["blue apple", "blue", "blue car", "red"]);
    }
    await page.getByRole("button", { name: "Close find" }).click();
    await page.keyboard.press("Control+z");
    await expect.poll(() => Promise.all(["A1", "A2", "B2"].map((a) => shown(other, a)))).toEqual(["red apple", "red", "red car"]);
  });
});
