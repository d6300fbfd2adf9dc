import { describe, expect, it } from "vitest";
import { cell, e2eSuite, paste, shown } from "./harness.js";

const env = e2eSuite();

describe("printing", () => {
  it("prints the whole used range, off screen too, with the frozen rows on every page and filtered rows left out", async () => {
    const page = await env.newSheet("Inventory");
    await cell(page, "A1").click();
    const rows = ["Item\tCount", ...Array.from({ length: 80 }, (_, i) => `item ${i + 1}\t${i % 2 === 0 ? "even" : "odd"}`)];
    await paste(page, rows.join("\n"));
    await expect.poll(() => shown(page, "A2")).toBe("item 1");
    await page.getByLabel("Freeze rows").selectOption("1");
    // Row 3 (item 2) is filtered out of this person's view.
    await cell(page, "B1").click();
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /^Filter “Count”/ });
    await page.getByRole("button", { name: "Filter column B" }).click();
    await dialog.getByRole("checkbox", { name: /^odd/ }).uncheck();
    await dialog.getByRole("button", { name: "OK" }).click();

    // What the page would print, read as the browser prints it.
    await page.emulateMedia({ media: "print" });
    await page.evaluate(() => {
      window.print = () => {
        const sheet = document.querySelector(".print-sheet")!;
        (window as unknown as { printed: unknown }).printed = {
          shown: getComputedStyle(sheet).display,
          app: getComputedStyle(document.querySelector("#app")!).display,
          head: [...sheet.querySelectorAll("thead tr")].map((tr) => tr.textContent?.trim()),
          rows: sheet.querySelectorAll("tbody tr").length,
          last: sheet.querySelector("tbody tr:last-child")?.textContent,
        };
        window.dispatchEvent(new Event("afterprint"));
      };
    });
    await page.getByRole("button", { name: "File" }).click();
    await page.getByRole("menuitem", { name: "Print…" }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed?: unknown }).printed)).toEqual({
      shown: "block",
      app: "none",
      head: ["AB", "1ItemCount"],
      rows: 40,
      last: "80item 79even",
    });
    // Printed, the table goes.
    expect(await page.locator(".print-sheet").count()).toBe(0);
  });
});
