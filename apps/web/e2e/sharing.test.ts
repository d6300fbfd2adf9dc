import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { asOwner, cell, createSheet, e2eSuite, openSheet, paste, shown, startServer, typeInto } from "./harness.js";

const env = e2eSuite();

/** A link made through the API by the sheet's owner. */
async function link(id: string, role: string): Promise<string> {
  const res = await fetch(`${env.server.url}/api/sheets/${id}/links`, {
    method: "POST",
    headers: { "content-type": "application/json", ...asOwner(id) },
    body: JSON.stringify({ role }),
  });
  return `${env.server.url}${((await res.json()) as { url: string }).url}`;
}

/** What the server holds in A1:C3, by address. */
async function stored(id: string): Promise<Record<string, string>> {
  const res = await fetch(`${env.server.url}/api/sheets/${id}/cells?range=A1:C3`, { headers: asOwner(id) });
  const { cells } = (await res.json()) as { cells: { input: string }[][] };
  const out: Record<string, string> = {};
  cells.forEach((row, r) => row.forEach((c, col) => c.input && (out[`${"ABC"[col]}${r + 1}`] = c.input)));
  return out;
}

/** Opens a link in a browser of its own and waits until the sheet is synced. */
async function visitor(url: string): Promise<Page> {
  const page = await (await env.newContext()).newPage();
  await page.goto(url);
  await page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
  return page;
}

describe("sharing a sheet with links", () => {
  it("an owner shares a view link: it shows the sheet live and can change nothing, until it is revoked", async () => {
    const owner = await env.newSheet("Shared budget");
    const id = new URL(owner.url()).pathname.split("/")[2]!;
    await typeInto(owner, "A1", "1");
    await typeInto(owner, "A2", "2");

    await owner.getByRole("button", { name: "Share" }).click();
    const dialog = owner.getByRole("dialog", { name: "Share this sheet" });
    await dialog.getByLabel("Role").selectOption({ label: "Can view" });
    await dialog.getByLabel("Label (optional)").fill("Auditors");
    await dialog.getByRole("button", { name: "Make link" }).click();
    const url = await dialog.getByLabel(/The new view link/).inputValue();
    expect(url).toMatch(new RegExp(`/s/${id}#k=[A-Za-z0-9_-]{32}$`));
    await dialog.getByRole("cell", { name: "Auditors", exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();

    const viewer = await visitor(url);
    await viewer.getByText("View only").waitFor();
    expect(new URL(viewer.url()).hash).toBe(""); // the secret is not left in the address bar
    expect(await shown(viewer, "A1")).toBe("1");

    // Typing, the editor, Delete, paste, fill, undo, the title, the toolbar and the header menu.
    await typeInto(viewer, "B1", "typed");
    await cell(viewer, "A1").dblclick();
    await viewer.keyboard.type("9");
    await viewer.keyboard.press("Enter");
    await cell(viewer, "A2").click();
    await viewer.keyboard.press("Delete");
    await paste(viewer, "pasted\tcells");
    await cell(viewer, "A1").click();
    await cell(viewer, "A3").click({ modifiers: ["Shift"] });
    await viewer.keyboard.press("Control+d");
    await viewer.keyboard.press("Control+b");
    await viewer.keyboard.press("Control+z");
    expect(await viewer.getByLabel("Sheet title").getAttribute("readonly")).not.toBeNull();
    expect(await viewer.getByRole("button", { name: "Bold" }).isDisabled()).toBe(true);
    await viewer.locator('[role=row][aria-rowindex="3"] [role=rowheader]').click({ button: "right" });
    expect(await viewer.getByRole("menuitem", { name: /Delete row/ }).count()).toBe(0);
    await viewer.keyboard.press("Escape");
    expect(await shown(viewer, "A1")).toBe("1");
    expect(await shown(viewer, "A2")).toBe("2");
    expect(await shown(viewer, "B1")).toBe("");
    expect(await viewer.getByRole("status").filter({ hasText: /^Saved$/ }).count()).toBe(1);

    // The owner's edits still reach it live; the server holds only the owner's.
    await typeInto(owner, "C1", "live");
    await expect.poll(() => shown(viewer, "C1")).toBe("live");
    expect(await stored(id)).toEqual({ A1: "1", A2: "2", C1: "live" });

    await owner.getByRole("button", { name: "Share" }).click();
    await dialog.getByRole("button", { name: /Revoke .*Auditors/ }).click();
    await owner.getByRole("button", { name: "Revoke link" }).click();
    await viewer.getByText("This link no longer gives access").waitFor();
  });

  it("a comment link writes in the chat but not in the cells", async () => {
    const id = await createSheet(env.server.url, "Review");
    const owner = await env.person(id);
    const commenter = await visitor(await link(id, "comment"));
    await commenter.getByText("Can comment").waitFor();
    // A typed space neither writes nor scrolls the grid away (A1 is still on screen below).
    await typeInto(commenter, "A1", "not mine to write");
    await commenter.getByRole("button", { name: "Chat" }).click();
    await commenter.getByLabel("Message").fill("B7 looks wrong");
    await commenter.getByRole("button", { name: "Send" }).click();
    await owner.getByRole("button", { name: /Chat/ }).click();
    await owner.getByText("B7 looks wrong").waitFor();
    await commenter.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    expect(await shown(commenter, "A1")).toBe("");
    expect(await stored(id)).toEqual({});
  });

  it("a view link never sends the edits an earlier visit with an edit link left in this browser", async () => {
    const id = await createSheet(env.server.url, "Kept");
    const viewLink = await link(id, "view");
    const context = await env.newContext();
    const earlier = await context.newPage();
    await openSheet(earlier, env.server.url, id);
    await env.server.stop();
    await earlier.getByRole("status").filter({ hasText: "Offline" }).waitFor();
    await typeInto(earlier, "A1", "typed offline");
    await earlier.getByRole("status").filter({ hasText: "1 unsaved change" }).waitFor();
    await earlier.waitForTimeout(300); // let IndexedDB finish its write
    await earlier.close();
    env.server = await startServer({ port: env.server.port, dataDir: env.server.dataDir });

    const viewing = await context.newPage();
    await viewing.goto(viewLink);
    await viewing.getByText("View only").waitFor();
    await viewing.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    await viewing.waitForTimeout(500);
    expect(await shown(viewing, "A1")).toBe("");
    expect(await stored(id)).toEqual({});
    await viewing.close();

    // The same browser with its edit link sends them: they were there to send all along.
    const editing = await context.newPage();
    await openSheet(editing, env.server.url, id);
    await expect.poll(() => stored(id)).toEqual({ A1: "typed offline" });
  });
});
