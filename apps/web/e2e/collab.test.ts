import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cell, createSheet, launchBrowser, openSheet, startServer, typeInto, type E2EServer } from "./harness.js";

let server: E2EServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Two people: separate browser contexts (separate storage), on the same sheet. */
async function twoPeople(id: string): Promise<[Page, Page]> {
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await openSheet(page, server.url, id);
    pages.push(page);
  }
  return pages as [Page, Page];
}

const text = (page: Page, a1: string) => cell(page, a1).textContent().then((t) => (t ?? "").trim());

describe("editing together", () => {
  it("each sees the other's edits, and concurrent edits to different cells converge", async () => {
    const id = await createSheet(server.url, "Together");
    const [ada, bob] = await twoPeople(id);
    await Promise.all([typeInto(ada, "A1", "from Ada"), typeInto(bob, "C3", "from Bob")]);
    for (const page of [ada, bob]) {
      await expect.poll(() => text(page, "A1")).toBe("from Ada");
      await expect.poll(() => text(page, "C3")).toBe("from Bob");
    }
  });

  it("shows markup typed into a cell as text", async () => {
    const id = await createSheet(server.url, "Markup");
    const [ada, bob] = await twoPeople(id);
    let dialogs = 0;
    for (const page of [ada, bob]) page.on("dialog", () => dialogs++);
    const evil = "<img src=x onerror=alert(1)>";
    await typeInto(ada, "B2", evil);
    for (const page of [ada, bob]) {
      await expect.poll(() => text(page, "B2")).toBe(evil);
      expect(await page.locator("[role=grid] img").count()).toBe(0);
    }
    expect(dialogs).toBe(0);
  });

  it("undo reverts only one's own edit, never the other person's", async () => {
    const id = await createSheet(server.url, "Undo");
    const [ada, bob] = await twoPeople(id);
    await typeInto(ada, "A1", "Ada's");
    await expect.poll(() => text(bob, "A1")).toBe("Ada's");
    await typeInto(bob, "B1", "Bob's");
    await expect.poll(() => text(ada, "B1")).toBe("Bob's");
    await ada.keyboard.press("Control+z");
    for (const page of [ada, bob]) {
      await expect.poll(() => text(page, "A1")).toBe("");
      expect(await text(page, "B1")).toBe("Bob's");
    }
    await ada.keyboard.press("Control+y");
    await expect.poll(() => text(bob, "A1")).toBe("Ada's");
  });

  it("an edit made while the server is down survives a reload and reaches the other person", async () => {
    const id = await createSheet(server.url, "Offline");
    const [ada, bob] = await twoPeople(id);
    await server.stop();
    await ada.getByRole("status").filter({ hasText: "Offline" }).waitFor();
    await typeInto(ada, "A2", "typed offline");
    await ada.getByRole("status").filter({ hasText: "1 unsaved change" }).waitFor();
    await ada.waitForTimeout(300); // let IndexedDB finish its write
    await ada.close();

    server = await startServer({ port: server.port, dataDir: server.dataDir });
    // The edit lives only in Ada's browser: the server never saw it, and her tab is gone.
    await bob.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 20_000 });
    expect(await text(bob, "A2")).toBe("");
    const again = await ada.context().newPage();
    await again.goto(`${server.url}/s/${id}`);
    await expect.poll(() => text(again, "A2")).toBe("typed offline");
    await again.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await expect.poll(() => text(bob, "A2")).toBe("typed offline");
  });
});
