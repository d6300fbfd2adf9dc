import { describe, expect, it } from "vitest";
import { cell, createSheet, e2eSuite, shown, typeInto } from "./harness.js";

const env = e2eSuite();

describe("typing a formula", () => {
  it("completes function names, shows the signature, outlines references and inserts clicked cells", async () => {
    const id = await createSheet(env.server.url, "Formula help");
    const page = await env.person(id);
    await typeInto(page, "A1", "1");
    await typeInto(page, "A2", "5");
    await typeInto(page, "A3", "9");

    await cell(page, "B1").click();
    await page.keyboard.type("=sumi");
    const list = page.getByRole("listbox", { name: "Functions" });
    await expect.poll(async () => (await list.getByRole("option").allTextContents()).map((t) => t.trim())).toEqual(["SUMIF", "SUMIFS"]);
    await page.keyboard.press("Enter");
    const editor = page.getByLabel("Edit B1");
    expect(await editor.inputValue()).toBe("=SUMIF(");
    await expect.poll(() => page.getByRole("note").textContent()).toBe("SUMIF(range, criterion, [sum_range])");
    expect(await page.getByRole("note").locator(".current").textContent()).toBe("range");

    // Clicking A1, then Shift+clicking A3, writes the range into the formula.
    await cell(page, "A1").click();
    expect(await editor.inputValue()).toBe("=SUMIF(A1");
    await cell(page, "A3").click({ modifiers: ["Shift"] });
    expect(await editor.inputValue()).toBe("=SUMIF(A1:A3");
    await expect.poll(() => page.locator(".reference").count()).toBe(1);
    await page.keyboard.type(',">2")');
    await expect.poll(() => page.getByRole("note").count()).toBe(0);
    await page.keyboard.press("Enter");
    await expect.poll(() => cell(page, "B1").textContent()).toContain("14");
    expect(await page.locator(".reference").count()).toBe(0);

    // The formula bar helps the same way.
    await cell(page, "D1").click();
    const bar = page.getByLabel("Cell contents");
    await bar.click();
    await page.keyboard.type("=avera");
    await expect.poll(async () => (await list.getByRole("option").allTextContents())[0]?.trim()).toBe("AVERAGE");
    await page.keyboard.press("Tab");
    expect(await bar.inputValue()).toBe("=AVERAGE(");
    await expect.poll(() => page.getByRole("note").textContent()).toBe("AVERAGE(number1, [number2, …])");
    await page.keyboard.type("A1:A3)");
    await page.keyboard.press("Enter");
    await expect.poll(() => cell(page, "D1").textContent()).toContain("5");

    // Escape closes the list first, then cancels the edit.
    await cell(page, "C1").click();
    await page.keyboard.type("=ma");
    await list.waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => list.count()).toBe(0);
    expect(await page.getByLabel("Edit C1").inputValue()).toBe("=ma");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByLabel("Edit C1").count()).toBe(0);
  });

  it("spills an array into the cells below, shows #SPILL! while one is in the way, and another browser sees the same", async () => {
    const id = await createSheet(env.server.url, "Arrays");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    for (const [a1, text] of [["A1", "pear"], ["A2", "apple"], ["A3", "pear"], ["C1", "=SORT(UNIQUE(A1:A3))"]] as const) await typeInto(ada, a1, text);
    const column = (page: typeof ada) => Promise.all(["C1", "C2", "C3"].map((a) => shown(page, a)));
    for (const page of [ada, bob]) await expect.poll(() => column(page)).toEqual(["apple", "pear", ""]);
    await typeInto(bob, "C2", "mine");
    for (const page of [ada, bob]) await expect.poll(() => column(page)).toEqual(["#SPILL!", "mine", ""]);
    await cell(bob, "C2").click();
    await bob.keyboard.press("Delete");
    for (const page of [ada, bob]) await expect.poll(() => column(page)).toEqual(["apple", "pear", ""]);
  });

  it("shows dates from date functions, and reads typed dates month or day first as the File menu sets for everyone", async () => {
    const id = await createSheet(env.server.url, "Dates");
    const [ada, bob] = [await env.person(id), await env.person(id)];
    for (const [a1, text] of [["A1", "3/4/2025"], ["B1", "=MONTH(A1)"], ["C1", "=DATE(2024,12,25)"], ["D1", "=A1+30"]] as const) await typeInto(ada, a1, text);
    const row = (page: typeof ada) => Promise.all(["A1", "B1", "C1", "D1"].map((a) => shown(page, a)));
    for (const page of [ada, bob]) await expect.poll(() => row(page)).toEqual(["3/4/2025", "3", "2024-12-25", "2025-04-03"]);
    await ada.getByRole("button", { name: "File" }).click();
    await ada.getByRole("menuitemcheckbox", { name: /Dates typed day first/ }).click();
    for (const page of [ada, bob]) await expect.poll(() => row(page)).toEqual(["3/4/2025", "4", "2024-12-25", "2025-05-03"]);
  });
});
