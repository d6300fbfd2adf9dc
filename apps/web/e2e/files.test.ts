import ExcelJS from "exceljs";
import { XLSX_TYPE } from "@cosheet/protocol";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { asOwner, cell, createSheet, e2eSuite, typeInto } from "./harness.js";

const env = e2eSuite();

/** Picks a file through File > (item), as a user does. */
async function importFile(page: Page, item: RegExp, file: { name: string; mimeType: string; buffer: Buffer }) {
  await page.getByRole("button", { name: "File" }).click();
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("menuitem", { name: item }).click();
  await (await chooser).setFiles(file);
}

describe("import and export in the browser", () => {
  it("imports CSV at the selection for everyone; a broken file says why and changes nothing", async () => {
    const id = await createSheet(env.server.url, "Imports");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    await typeInto(ada, "A1", "keep");
    await cell(ada, "B2").click();
    const csv = "name,qty\r\npear,3\r\nfig,=C3*2\r\n";
    await importFile(ada, /at B2/, { name: "fruit.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expect.poll(() => ada.getByRole("alert").textContent()).toContain("Imported “fruit.csv” into B2:C4");
    await expect.poll(() => cell(bob, "C4").textContent()).toContain("6");
    expect((await cell(bob, "B3").textContent())?.trim()).toBe("pear");

    await ada.getByRole("button", { name: "Dismiss" }).click();
    await importFile(ada, /at B2/, { name: "broken.xlsx", mimeType: XLSX_TYPE, buffer: Buffer.from("PK\u0003\u0004garbage") });
    await expect.poll(() => ada.getByRole("alert").textContent()).toContain("not a readable XLSX file");
    const cells = await fetch(`${env.server.url}/api/sheets/${id}/cells`, { headers: asOwner(id) }).then((r) => r.json());
    expect(cells.range).toBe("A1:C4");
  });

  it("imports an XLSX workbook as a new sheet, and downloads it back as XLSX", async () => {
    const id = await createSheet(env.server.url, "Start");
    const ada = await env.person(id);
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("Q1");
    ws.getCell("A1").value = "total";
    ws.getCell("A1").font = { bold: true };
    ws.getCell("B1").value = { formula: "SUM(B2:B3)", result: 5 };
    ws.getCell("B2").value = 2;
    ws.getCell("B3").value = 3;
    const buffer = Buffer.from(await book.xlsx.writeBuffer());
    await importFile(ada, /new sheet/, { name: "Quarter.xlsx", mimeType: XLSX_TYPE, buffer });
    await ada.waitForURL((url) => url.pathname.startsWith("/s/") && !url.pathname.endsWith(id));
    await ada.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    expect(await ada.getByLabel("Sheet title").inputValue()).toBe("Quarter");
    await expect.poll(() => cell(ada, "B1").textContent()).toContain("5");
    expect(await cell(ada, "A1").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");

    await ada.getByRole("button", { name: "File" }).click();
    const download = ada.waitForEvent("download");
    await ada.getByRole("menuitem", { name: "Download as XLSX" }).click();
    const saved = await (await download).path();
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(saved!);
    expect(back.worksheets[0]!.getCell("B1").value).toEqual({ formula: "SUM(B2:B3)", result: 5 });
    expect(back.worksheets[0]!.getCell("A1").font?.bold).toBe(true);
  });

  it("imports a 100,000-row CSV with a progress indicator", async () => {
    const id = await createSheet(env.server.url, "Big");
    const ada = await env.person(id);
    const lines = Array.from({ length: 100_000 }, (_, i) => `row ${i + 1},${i},${i * 2}`);
    const buffer = Buffer.from(lines.join("\n"));
    await importFile(ada, /new sheet/, { name: "big.csv", mimeType: "text/csv", buffer });
    await ada.getByRole("status").filter({ hasText: /big\.csv/ }).waitFor();
    await ada.waitForURL((url) => !url.pathname.endsWith(id), { timeout: 60_000 });
    await ada.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor({ timeout: 60_000 });
    await ada.getByRole("grid").focus();
    await ada.keyboard.press("Control+End");
    await expect.poll(() => ada.getByLabel("Active cell").inputValue()).toBe("C100000");
    await expect.poll(() => cell(ada, "A100000").textContent()).toContain("row 100000");
  }, 120_000);
});
