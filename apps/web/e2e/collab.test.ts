import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { asOwner, cell, copy, createSheet, e2eSuite, paste, shown, startServer, typeInto } from "./harness.js";

const env = e2eSuite();

/** Two people: separate browser contexts (separate storage), on the same sheet. */
async function twoPeople(id: string): Promise<[Page, Page]> {
  return [await env.person(id), await env.person(id)];
}


describe("editing together", () => {
  it("each sees the other's edits, and concurrent edits to different cells converge", async () => {
    const id = await createSheet(env.server.url, "Together");
    const [ada, bob] = await twoPeople(id);
    await Promise.all([typeInto(ada, "A1", "from Ada"), typeInto(bob, "C3", "from Bob")]);
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "A1")).toBe("from Ada");
      await expect.poll(() => shown(page, "C3")).toBe("from Bob");
    }
  });

  it("shows markup typed into a cell as text", async () => {
    const id = await createSheet(env.server.url, "Markup");
    const [ada, bob] = await twoPeople(id);
    let dialogs = 0;
    for (const page of [ada, bob]) page.on("dialog", () => dialogs++);
    const evil = "<img src=x onerror=alert(1)>";
    await typeInto(ada, "B2", evil);
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "B2")).toBe(evil);
      expect(await page.locator("[role=grid] img").count()).toBe(0);
    }
    expect(dialogs).toBe(0);
  });

  it("undo reverts only one's own edit, never the other person's", async () => {
    const id = await createSheet(env.server.url, "Undo");
    const [ada, bob] = await twoPeople(id);
    await typeInto(ada, "A1", "Ada's");
    await expect.poll(() => shown(bob, "A1")).toBe("Ada's");
    await typeInto(bob, "B1", "Bob's");
    await expect.poll(() => shown(ada, "B1")).toBe("Bob's");
    await ada.keyboard.press("Control+z");
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "A1")).toBe("");
      expect(await shown(page, "B1")).toBe("Bob's");
    }
    await ada.keyboard.press("Control+y");
    await expect.poll(() => shown(bob, "A1")).toBe("Ada's");
  });

  it("an edit made while the server is down survives a reload and reaches the other person", async () => {
    const id = await createSheet(env.server.url, "Offline");
    const [ada, bob] = await twoPeople(id);
    await env.server.stop();
    await ada.getByRole("status").filter({ hasText: "Offline" }).waitFor();
    await typeInto(ada, "A2", "typed offline");
    await ada.getByRole("status").filter({ hasText: "1 unsaved change" }).waitFor();
    await ada.waitForTimeout(300); // let IndexedDB finish its write
    // Closing the tab with unsaved changes asks first.
    const asked = new Promise<string>((resolve) =>
      ada.once("dialog", (dialog) => {
        resolve(dialog.type());
        void dialog.accept();
      }),
    );
    await ada.close({ runBeforeUnload: true });
    expect(await asked).toBe("beforeunload");

    env.server = await startServer({ port: env.server.port, dataDir: env.server.dataDir });
    // The edit lives only in Ada's browser: the server never saw it, and her tab is gone.
    await bob.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor({ timeout: 20_000 });
    expect(await shown(bob, "A2")).toBe("");
    const again = await ada.context().newPage();
    await again.goto(`${env.server.url}/s/${id}`);
    await expect.poll(() => shown(again, "A2")).toBe("typed offline");
    await again.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    await expect.poll(() => shown(bob, "A2")).toBe("typed offline");
  });

  it("a pasted block of 10,000 cells lands in one step and undoes in one step", async () => {
    const id = await createSheet(env.server.url, "Paste");
    const [ada, bob] = await twoPeople(id);
    const tsv = Array.from({ length: 100 }, (_, r) => Array.from({ length: 100 }, (_, c) => `r${r}c${c}`).join("\t")).join("\r\n");
    await cell(ada, "B2").click();
    await paste(ada, tsv);
    await expect.poll(() => shown(bob, "B2")).toBe("r0c0");
    await expect.poll(() => shown(bob, "C3")).toBe("r1c1");
    const stored = async () => {
      const res = await fetch(`${env.server.url}/api/sheets/${id}/cells?range=CW101`, { headers: asOwner(id) });
      return ((await res.json()) as { cells: { input: string }[][] }).cells[0]![0]!.input;
    };
    await expect.poll(stored).toBe("r99c99");
    await ada.keyboard.press("Control+z");
    await expect.poll(() => shown(bob, "B2")).toBe("");
    await expect.poll(stored).toBe("");
    expect(await shown(ada, "C3")).toBe("");
  });

  it("copies a block as TSV and HTML", async () => {
    const id = await createSheet(env.server.url, "Copy");
    const [ada] = await twoPeople(id);
    await typeInto(ada, "A1", "a");
    await typeInto(ada, "B1", "<b>");
    await cell(ada, "A1").click();
    await ada.keyboard.press("Shift+ArrowRight");
    const copied = await copy(ada);
    expect(copied.text).toBe("a\t<b>");
    expect(copied.html).toContain("<td>a</td><td>&lt;b&gt;</td>");
  });

  it("a row inserted above someone who is typing keeps the typed value on its row", async () => {
    const id = await createSheet(env.server.url, "Insert");
    const [ada, bob] = await twoPeople(id);
    await typeInto(ada, "A5", "row five");
    await typeInto(ada, "C1", "=A5&B5");
    await expect.poll(() => shown(bob, "A5")).toBe("row five");
    await cell(bob, "B5").click();
    await bob.keyboard.type("typed by Bob"); // still editing
    await ada.locator('[role=row][aria-rowindex="4"] [role=rowheader]').click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Insert row above" }).click();
    await expect.poll(() => shown(bob, "A6")).toBe("row five");
    await bob.keyboard.press("Enter");
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "B6")).toBe("typed by Bob");
      expect(await shown(page, "B5")).toBe("");
      // The formula follows its cells: its value, and its text in the formula bar.
      await expect.poll(() => shown(page, "C1")).toBe("row fivetyped by Bob");
      await cell(page, "C1").click();
      expect(await page.getByLabel("Cell contents").inputValue()).toBe("=A6&B6");
    }
  });

  it("a remote change to the cell being edited keeps the draft and says so", async () => {
    const id = await createSheet(env.server.url, "Underneath");
    const [ada, bob] = await twoPeople(id);
    await cell(ada, "C2").click();
    await ada.keyboard.press("F2");
    await ada.keyboard.type("my draft");
    await typeInto(bob, "C2", "Bob was first");
    await ada.getByText("Someone else changed this cell").waitFor();
    expect(await ada.getByLabel("Edit C2").inputValue()).toBe("my draft");
    await ada.keyboard.press("Enter");
    await expect.poll(() => shown(bob, "C2")).toBe("my draft");
  });

  it("deletes a row from the header menu for everyone", async () => {
    const id = await createSheet(env.server.url, "Delete");
    const [ada, bob] = await twoPeople(id);
    await typeInto(ada, "A2", "two");
    await typeInto(ada, "A3", "three");
    await expect.poll(() => shown(bob, "A3")).toBe("three");
    await ada.locator('[role=row][aria-rowindex="3"] [role=rowheader]').click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Delete row 2" }).click();
    await expect.poll(() => shown(bob, "A2")).toBe("three");
  });

  it("a column resized by dragging is resized for everyone", async () => {
    const id = await createSheet(env.server.url, "Widths");
    const [ada, bob] = await twoPeople(id);
    const header = (page: Page) => page.locator(`[role=columnheader][aria-colindex="3"]`);
    const before = (await header(bob).boundingBox())!.width;
    const handle = (await ada.getByLabel("Resize column B").boundingBox())!;
    await ada.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await ada.mouse.down();
    await ada.mouse.move(handle.x + 84, handle.y + 10, { steps: 5 });
    await ada.mouse.up();
    await expect.poll(async () => Math.round((await header(bob).boundingBox())!.width)).toBe(Math.round(before + 80));
  });

  it("a formula shows its computed value to both, and follows a changed precedent", async () => {
    const id = await createSheet(env.server.url, "Formulas");
    const [ada, bob] = await twoPeople(id);
    await typeInto(ada, "A1", "20");
    await typeInto(ada, "A2", "22");
    await typeInto(ada, "A3", "=SUM(A1:A2)");
    await typeInto(ada, "B1", "=A1/0");
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "A3")).toBe("42");
      await expect.poll(() => shown(page, "B1")).toBe("#DIV/0!");
    }
    await typeInto(bob, "A1", "100");
    for (const page of [ada, bob]) await expect.poll(() => shown(page, "A3")).toBe("122");
    await cell(bob, "A3").click();
    expect(await bob.getByLabel("Cell contents").inputValue()).toBe("=SUM(A1:A2)");
  });
});
