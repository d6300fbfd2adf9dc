import { describe, expect, it } from "vitest";
import { asOwner, cell, createSheet, e2eSuite, openSheet } from "./harness.js";

const env = e2eSuite();

describe("pages", () => {
  it("creates a sheet from the home page, and lists it there afterwards", async () => {
    const page = await (await env.newContext()).newPage();
    await page.goto(env.server.url);
    await page.getByRole("button", { name: "New sheet" }).click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    await page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    expect(await page.getByLabel("Sheet title").inputValue()).toBe("Untitled sheet");
    expect(await page.title()).toBe("Untitled sheet - Cosheet");
    await page.getByRole("link", { name: "Cosheet home" }).click();
    await page.getByRole("link", { name: "Untitled sheet" }).waitFor();
    expect(await page.title()).toBe("Cosheet");
    await page.close();
  });

  it("imports a file as a new sheet from the home page; a file it cannot read gets a message", async () => {
    const page = await (await env.newContext()).newPage();
    await page.goto(env.server.url);
    const pick = async (name: string, body: string) => {
      const chooser = page.waitForEvent("filechooser");
      await page.getByRole("button", { name: "Import a CSV or XLSX file…" }).click();
      await (await chooser).setFiles({ name, mimeType: "text/plain", buffer: Buffer.from(body) });
    };
    await pick("notes.pdf", "%PDF");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not a CSV or XLSX file");
    await pick("Prices 2026.csv", "item,price\npear,2\n");
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    await page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    expect(await page.getByLabel("Sheet title").inputValue()).toBe("Prices 2026");
    await expect.poll(() => cell(page, "B2").textContent()).toContain("2");
    await page.close();
  });

  it("shows a change made through the API live", async () => {
    const id = await createSheet(env.server.url, "Shared");
    const page = await (await env.newContext()).newPage();
    await openSheet(page, env.server.url, id);
    await fetch(`${env.server.url}/api/sheets/${id}/cells`, {
      method: "PATCH",
      headers: { "content-type": "application/json", ...asOwner(id) },
      body: JSON.stringify({ cells: { B2: "from the API" } }),
    });
    await expect.poll(() => cell(page, "B2").textContent()).toContain("from the API");
    await page.close();
  });

  it("explains a malformed or unknown sheet address and offers a new sheet", async () => {
    const page = await (await env.newContext()).newPage();
    await page.goto(`${env.server.url}/s/not-a-sheet`);
    expect(await page.getByRole("alert").textContent()).toContain("not a sheet address");
    await page.goto(`${env.server.url}/s/${"Q".repeat(22)}`);
    // Joining takes a connection and an answer from storage: on a machine busy with the other
    // browser tests that has taken over 30 s once, so this test allows longer.
    await page.getByRole("alert").filter({ hasText: "does not exist" }).waitFor({ timeout: 50_000 });
    await page.getByRole("button", { name: "Create a new sheet" }).click();
    await page.waitForURL((url) => /^\/s\/[A-Za-z0-9_-]{22}$/.test(url.pathname) && !url.pathname.endsWith("Q".repeat(22)));
    await page.close();
  }, 90_000);
});
