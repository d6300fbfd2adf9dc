import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSheet, launchBrowser, startServer, type E2EServer } from "./harness.js";

let server: E2EServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("in Chromium", () => {
  it("creates a sheet from the home page and syncs it", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByRole("button", { name: "New sheet" }).click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Saved");
    expect(await page.getByRole("heading").textContent()).toBe("Untitled sheet");
    await page.close();
  });

  it("sees a change made by someone else live", async () => {
    const id = await createSheet(server.url, "Shared");
    const page = await browser.newPage();
    await page.goto(`${server.url}/s/${id}`);
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Saved");
    await fetch(`${server.url}/api/sheets/${id}/cells`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cells: { AD1500: "far away" } }),
    });
    await expect.poll(() => page.getByText(/rows ×/).textContent()).toContain("1500 rows × 30 columns");
    await page.close();
  });

  it("explains a malformed sheet address", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/s/not-a-sheet`);
    expect(await page.getByRole("alert").textContent()).toContain("not a sheet address");
    await page.close();
  });
});
