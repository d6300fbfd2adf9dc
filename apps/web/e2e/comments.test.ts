import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { asOwner, cell, createSheet, e2eSuite, openSheet, startServer, typeInto } from "./harness.js";

const env = e2eSuite();

const saved = (page: Page) => page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();

/** A link's secret, made through the API by the sheet's owner. */
async function linkSecret(id: string, role: string): Promise<string> {
  const res = await fetch(`${env.server.url}/api/sheets/${id}/links`, {
    method: "POST",
    headers: { "content-type": "application/json", ...asOwner(id) },
    body: JSON.stringify({ role }),
  });
  return ((await res.json()) as { secret: string }).secret;
}

/** The comments of a cell's card, as "author: text". */
async function commentsOn(page: Page, a1: string): Promise<string[]> {
  const card = page.getByRole("region", { name: `Comments on ${a1}` });
  if ((await card.count()) === 0) return [];
  return card.locator("article").evaluateAll((articles) =>
    articles.map((a) => `${a.querySelector(".author")!.textContent!.trim()}: ${a.querySelector(".text")?.textContent!.trim()}`),
  );
}

const marked = async (page: Page, a1: string) => (await cell(page, a1).getAttribute("aria-description")) === "has comments";

describe("comments on cells", () => {
  it("are written, answered, edited and resolved live, follow their cell, and a commenter's reply sent offline arrives", async () => {
    const id = await createSheet(env.server.url, "Review");
    const ada = await env.person(id, { name: "Ada", color: "#c2410c" });
    const context = await env.newContext();
    await context.addInitScript(() => localStorage.setItem("cosheet:identity", JSON.stringify({ name: "Cleo", color: "#0369a1" })));
    const cleo = await context.newPage();
    await openSheet(cleo, env.server.url, id, await linkSecret(id, "comment"));
    await cleo.getByText("Can comment").waitFor();

    await typeInto(ada, "B2", "1200");
    await cell(ada, "B2").click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Comment" }).click();
    await ada.getByRole("textbox", { name: "New comment" }).fill("Is this total right?");
    await ada.getByRole("button", { name: "Comment", exact: true }).click();
    await expect.poll(() => commentsOn(ada, "B2")).toEqual(["Ada: Is this total right?"]);
    await expect.poll(() => marked(cleo, "B2")).toBe(true);
    expect(await marked(cleo, "B3")).toBe(false);

    // The commenter cannot type in cells, but answers on the card of the cell it selects.
    await cell(cleo, "B2").click();
    await expect.poll(() => commentsOn(cleo, "B2")).toEqual(["Ada: Is this total right?"]);
    const cleoCard = cleo.getByRole("region", { name: "Comments on B2" });
    expect(await cleoCard.getByRole("button", { name: "Edit" }).count()).toBe(0);
    await cleoCard.getByRole("textbox", { name: "Reply" }).fill("It is, I checked");
    await cleoCard.getByRole("textbox", { name: "Reply" }).press("Control+Enter");
    await expect.poll(() => commentsOn(ada, "B2")).toEqual(["Ada: Is this total right?", "Cleo: It is, I checked"]);

    // Ada edits her own comment (only hers has Edit); Cleo sees it changed.
    const adaCard = ada.getByRole("region", { name: "Comments on B2" });
    expect(await adaCard.getByRole("button", { name: "Edit" }).count()).toBe(1);
    await adaCard.getByRole("button", { name: "Edit" }).click();
    await adaCard.getByRole("textbox", { name: "Edit your comment" }).fill("Is the 2026 total right?");
    await adaCard.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => commentsOn(cleo, "B2")).toEqual(["Ada: Is the 2026 total right?", "Cleo: It is, I checked"]);
    await cleoCard.getByText("(edited)").waitFor();

    // A row inserted above moves the cell, and its thread with it.
    await ada.getByRole("grid").focus();
    await ada.keyboard.press("Escape");
    await ada.locator(`[role=row][aria-rowindex="2"] [role=rowheader]`).click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Insert row above" }).click();
    for (const page of [ada, cleo]) {
      await expect.poll(() => marked(page, "B3")).toBe(true);
      expect(await marked(page, "B2")).toBe(false);
    }

    // Cleo's reply written while the server is down shows as sending, and arrives once it is back.
    await cell(ada, "B3").click();
    await cell(cleo, "B3").click();
    await env.server.stop();
    await cleo.getByRole("status").filter({ hasText: "Offline" }).waitFor();
    const card = cleo.getByRole("region", { name: "Comments on B3" });
    await card.getByRole("textbox", { name: "Reply" }).fill("Written offline");
    await card.getByRole("button", { name: "Reply" }).click();
    await card.getByText("Sending…").waitFor();
    env.server = await startServer({ port: env.server.port, dataDir: env.server.dataDir });
    await expect.poll(() => commentsOn(ada, "B3"), { timeout: 20_000 }).toContain("Cleo: Written offline");
    // Ada may see it before Cleo's page has the server's answer.
    await expect.poll(() => card.getByText("Sending…").count()).toBe(0);

    // Resolving takes the marker away for everyone; the panel lists it, and it can be reopened.
    await card.getByRole("button", { name: "Resolve" }).click();
    for (const page of [ada, cleo]) await expect.poll(() => marked(page, "B3")).toBe(false);
    await ada.getByRole("button", { name: /^Comments/ }).click();
    const panel = ada.getByRole("complementary", { name: "Comments" });
    await panel.getByText("No open comments", { exact: false }).waitFor();
    await panel.getByLabel("Show resolved").check();
    await panel.getByRole("button", { name: "Reopen" }).click();
    for (const page of [ada, cleo]) await expect.poll(() => marked(page, "B3")).toBe(true);
    await panel.getByRole("button", { name: /^B3 · Ada/ }).click();
    await expect.poll(() => commentsOn(ada, "B3")).toHaveLength(3);
    await saved(ada);
  });
});
