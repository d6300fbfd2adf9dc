import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cell, createSheet, launchBrowser, openSheet, startServer, type E2EServer } from "./harness.js";

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

describe("pages", () => {
  it("creates a sheet from the home page, and lists it there afterwards", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByRole("button", { name: "New sheet" }).click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    expect(await page.getByLabel("Sheet title").inputValue()).toBe("Untitled sheet");
    await page.getByRole("link", { name: "Cosheet home" }).click();
    await page.getByRole("link", { name: "Untitled sheet" }).waitFor();
    await page.close();
  });

  it("shows a change made through the API live", async () => {
    const id = await createSheet(server.url, "Shared");
    const page = await browser.newPage();
    await openSheet(page, server.url, id);
    await fetch(`${server.url}/api/sheets/${id}/cells`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cells: { B2: "from the API" } }),
    });
    await expect.poll(() => cell(page, "B2").textContent()).toContain("from the API");
    await page.close();
  });

  it("explains a malformed or unknown sheet address and offers a new sheet", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/s/not-a-sheet`);
    expect(await page.getByRole("alert").textContent()).toContain("not a sheet address");
    await page.goto(`${server.url}/s/${"Q".repeat(22)}`);
    await page.getByRole("alert").filter({ hasText: "does not exist" }).waitFor();
    await page.getByRole("button", { name: "Create a new sheet" }).click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    await page.close();
  });
});
