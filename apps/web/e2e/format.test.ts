import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, copy, createSheet, e2eSuite, paste, typeInto } from "./harness.js";

const env = e2eSuite();

const css = (page: Page, a1: string, prop: string) =>
  cell(page, a1).evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), prop);

describe("formatting", () => {
  it("bold, colours, alignment and number formats are shared and undoable", async () => {
    const id = await createSheet(env.server.url, "Format");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "1234.5");
    await cell(ada, "A1").click();
    await ada.keyboard.press("Control+b");
    await ada.getByRole("toolbar", { name: "Formatting" }).getByLabel("Number format").selectOption("currency");
    await ada.getByLabel("Align center").click();
    await ada.getByLabel("Fill colour").evaluate((el: HTMLInputElement) => {
      el.value = "#ffeeaa";
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });

    for (const page of [ada, bob]) {
      await expect.poll(() => cell(page, "A1").textContent()).toContain("$1,234.50");
      await expect.poll(() => css(page, "A1", "font-weight")).toBe("700");
      expect(await css(page, "A1", "text-align")).toBe("center");
      await expect.poll(() => css(page, "A1", "background-color")).toBe("rgb(255, 238, 170)");
    }
    // The toolbar shows the active cell's formatting.
    await expect.poll(() => ada.getByLabel("Bold").getAttribute("aria-pressed")).toBe("true");

    // Percent, then fewer decimals; the input itself never changes.
    await ada.getByLabel("Number format").selectOption("percent");
    await expect.poll(() => cell(bob, "A1").textContent()).toContain("123,450%");
    await cell(ada, "A1").click();
    await ada.keyboard.press("Control+i");
    await expect.poll(() => css(bob, "A1", "font-style")).toBe("italic");
    await ada.keyboard.press("Control+z");
    await expect.poll(() => css(bob, "A1", "font-style")).toBe("normal");
    await bob.getByRole("grid").click({ position: { x: 80, y: 36 } });
    await expect.poll(() => bob.getByLabel("Cell contents").inputValue()).toBe("1234.5");
  });

  it("frozen rows and columns stay in view while the rest scrolls", async () => {
    const id = await createSheet(env.server.url, "Freeze");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "Name");
    await typeInto(ada, "B1", "Total");
    await ada.getByLabel("Freeze rows").selectOption("1");
    await ada.getByLabel("columns").selectOption("1");
    await expect.poll(() => bob.getByLabel("Freeze rows").inputValue()).toBe("1");

    const grid = bob.getByRole("grid");
    const before = await cell(bob, "B1").boundingBox();
    await grid.evaluate((el) => {
      el.scrollTop = 3000;
      el.scrollLeft = 600;
    });
    await expect.poll(() => cell(bob, "A130").count()).toBe(1);
    // Row 1 and column A are still where they were.
    const header = await cell(bob, "A1").boundingBox();
    expect(header!.y).toBe(before!.y);
    expect(header!.x).toBeLessThan(before!.x);
    expect(await cell(bob, "A1").textContent()).toContain("Name");
    // A click on the frozen row selects it, not the cell scrolled beneath it.
    await cell(bob, "A1").click();
    await expect.poll(() => bob.getByLabel("Active cell").inputValue()).toBe("A1");
    const rowBox = await cell(bob, "A135").boundingBox();
    await bob.mouse.click(rowBox!.x + 10, rowBox!.y + 10);
    await expect.poll(() => bob.getByLabel("Active cell").inputValue()).toBe("A135");
  });
});

describe("fill", () => {
  it("Ctrl+D copies down with references moved; dragging the handle continues a series", async () => {
    const id = await createSheet(env.server.url, "Fill");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "1");
    await typeInto(ada, "A2", "2");
    await typeInto(ada, "B1", "=A1*10");
    // Ctrl+D: B1 into B1:B4.
    await cell(ada, "B1").click();
    await cell(ada, "B4").click({ modifiers: ["Shift"] });
    await ada.keyboard.press("Control+d");
    await cell(bob, "B2").click();
    await expect.poll(() => bob.getByLabel("Cell contents").inputValue()).toBe("=A2*10");
    await expect.poll(() => cell(bob, "B2").textContent()).toContain("20");

    // Drag the fill handle of A1:A2 down to A5: 3, 4, 5; the B formulas then read them.
    await cell(ada, "A1").click();
    await cell(ada, "A2").click({ modifiers: ["Shift"] });
    const handle = await ada.locator(".fill-handle").boundingBox();
    const to = await cell(ada, "A5").boundingBox();
    await ada.mouse.move(handle!.x + 3, handle!.y + 3);
    await ada.mouse.down();
    await ada.mouse.move(to!.x + 20, to!.y + 12, { steps: 5 });
    await ada.mouse.up();
    for (const page of [ada, bob]) {
      await expect.poll(() => cell(page, "A5").textContent()).toContain("5");
      await expect.poll(() => cell(page, "B4").textContent()).toContain("40");
    }
    // One undo step takes the whole fill back.
    await ada.keyboard.press("Control+z");
    await expect.poll(() => cell(bob, "A5").textContent()).toBe("");
    expect((await cell(bob, "A2").textContent())?.trim()).toBe("2");
  });

  it("a copied formula pasted elsewhere moves its relative references; as plain text it is its value", async () => {
    const id = await createSheet(env.server.url, "Copy");
    const ada = await env.person(id);
    await typeInto(ada, "A1", "2");
    await typeInto(ada, "A2", "3");
    await typeInto(ada, "B1", "=A1*$A$1");
    await cell(ada, "B1").click();
    const copied = await copy(ada);
    // A text editor gets what the cell shows; the table keeps the formula.
    expect(copied.text).toBe("4");
    expect(copied.html).toContain("=A1*$A$1");
    await cell(ada, "B2").click();
    await paste(ada, copied);
    await expect.poll(() => cell(ada, "B2").textContent()).toContain("6");
    await cell(ada, "B2").click();
    expect(await ada.getByLabel("Cell contents").inputValue()).toBe("=A2*$A$1");
  });

  it("copies formatting with the cells, pastes another spreadsheet's, and values only leaves the cells' own", async () => {
    const page = await env.newSheet("Formats");
    await typeInto(page, "A1", "bold");
    await cell(page, "A1").click();
    await page.keyboard.press("Control+b");
    const copied = await copy(page);
    await cell(page, "C1").click();
    await paste(page, copied);
    await expect.poll(() => cell(page, "C1").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
    // From another spreadsheet: its inline CSS, and a cell spanning two rows lands in the first.
    await cell(page, "A3").click();
    await paste(page, { text: "x", html: '<table><tr><td rowspan="2" style="color:#aa0000">tall</td><td>b3</td></tr><tr><td>b4</td></tr></table>' });
    await expect.poll(() => cell(page, "B4").textContent()).toBe("b4");
    expect(await cell(page, "A3").evaluate((el) => getComputedStyle(el).color)).toBe("rgb(170, 0, 0)");
    expect(await cell(page, "A4").textContent()).toBe("");
    // Values only (Ctrl+Shift+V) keeps C1 bold while writing plain text.
    await cell(page, "C1").click();
    // (The key itself, without the browser's own paste of the system clipboard that would follow it.)
    await page.evaluate(() => document.dispatchEvent(new KeyboardEvent("keydown", { key: "V", ctrlKey: true, shiftKey: true, bubbles: true })));
    await paste(page, { text: "plain", html: "<table><tr><td>styled?</td></tr></table>" });
    await expect.poll(() => cell(page, "C1").textContent()).toBe("plain");
    expect(await cell(page, "C1").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
  });

  it("a cut moves its cells when pasted, formulas pointing at them following, for everyone and in one undo step", async () => {
    const id = await createSheet(env.server.url, "Moves");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "5");
    await typeInto(ada, "A2", "7");
    await typeInto(ada, "C1", "=SUM(A1:A2)");
    await typeInto(ada, "B5", "=A1*10");
    await cell(ada, "A1").click();
    await cell(ada, "A2").click({ modifiers: ["Shift"] });
    const cut = await copy(ada, "cut");
    // Nothing moves until the paste, as in Excel: the cells are outlined meanwhile.
    expect((await cell(ada, "A1").textContent())?.trim()).toBe("5");
    expect(await ada.locator(".cut").count()).toBe(1);
    await cell(ada, "D1").click();
    await paste(ada, cut);
    for (const page of [ada, bob]) {
      await expect.poll(() => cell(page, "D2").textContent()).toContain("7");
      expect((await cell(page, "A1").textContent())?.trim()).toBe("");
    }
    await cell(ada, "C1").click();
    expect(await ada.getByLabel("Cell contents").inputValue()).toBe("=SUM(D1:D2)");
    await cell(ada, "B5").click();
    expect(await ada.getByLabel("Cell contents").inputValue()).toBe("=D1*10");
    expect(await ada.locator(".cut").count()).toBe(0);
    await ada.keyboard.press("Control+z");
    await expect.poll(() => cell(bob, "A1").textContent()).toContain("5");
    expect((await cell(bob, "D1").textContent())?.trim()).toBe("");
    // Escape lets go of a cut: pasting it then copies.
    await cell(ada, "A1").click();
    const again = await copy(ada, "cut");
    await ada.keyboard.press("Escape");
    await cell(ada, "E1").click();
    await paste(ada, again);
    await expect.poll(() => cell(ada, "E1").textContent()).toContain("5");
    expect((await cell(ada, "A1").textContent())?.trim()).toBe("5");
  });
});

