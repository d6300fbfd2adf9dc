/**
 * Takes the README's screenshot (docs/screenshot.png): two people editing one sheet in Chromium,
 * one of them typing a formula.
 * Run with `pnpm --filter @cosheet/web screenshot` after a build.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { asOwner, cell, createSheet, launchBrowser, openSheet, startServer, typeInto } from "./harness.js";

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshot.png");
const server = await startServer();
const browser = await launchBrowser();
try {
  const id = await createSheet(server.url, "Q3 team budget");
  await fetch(`${server.url}/api/sheets/${id}/cells`, {
    method: "PATCH",
    headers: { "content-type": "application/json", ...asOwner(id) },
    body: JSON.stringify({
      cells: {
        A1: "Item", B1: "Owner", C1: "July", D1: "August", E1: "September", F1: "Total",
        A2: "Travel", B2: "Ada", C2: "1200", D2: "800", E2: "950", F2: "=SUM(C2:E2)",
        A3: "Software", B3: "Bob", C3: "430", D3: "430", E3: "455", F3: "=SUM(C3:E3)",
        A4: "Hardware", B4: "Ada", C4: "2100", D4: "0", E4: "640", F4: "=SUM(C4:E4)",
        A5: "Training", B5: "Cy", C5: "300", D5: "300", E5: "", F5: "=SUM(C5:E5)",
        A6: "Events", B6: "Bob", C6: "0", D6: "1500", E6: "200", F6: "=SUM(C6:E6)",
        A7: "Total", C7: "=SUM(C2:C6)", D7: "=SUM(D2:D6)", E7: "=SUM(E2:E6)",
      },
    }),
  });
  const person = async (name: string, color: string) => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 520 }, deviceScaleFactor: 1 });
    await context.addInitScript(`localStorage.setItem("cosheet:identity", ${JSON.stringify(JSON.stringify({ name, color }))})`);
    const page = await context.newPage();
    await openSheet(page, server.url, id);
    return page;
  };
  const ada = await person("Ada", "#c2410c");
  const bob = await person("Bob", "#0369a1");
  // Bob formats the table: bold header and totals on a tint, amounts as currency, row 1 frozen.
  const select = async (from: string, to: string) => {
    await cell(bob, from).click();
    await cell(bob, to).click({ modifiers: ["Shift"] });
  };
  await select("A1", "F1");
  await bob.keyboard.press("Control+b");
  await bob.getByLabel("Fill colour").evaluate((el: HTMLInputElement) => {
    el.value = "#dcebe5";
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await select("A7", "F7");
  await bob.keyboard.press("Control+b");
  await select("C2", "F7");
  await bob.getByLabel("Number format").selectOption("currency");
  await bob.getByLabel("Fewer decimals").click();
  await bob.getByLabel("Fewer decimals").click();
  await bob.getByLabel("Freeze rows").selectOption("1");
  await bob.getByRole("button", { name: /Chat/ }).click();
  await bob.getByLabel("Message").fill("I moved the offsite to August, see D6");
  await bob.getByRole("button", { name: "Send" }).click();
  await cell(bob, "D2").click();
  await bob.keyboard.down("Shift");
  await cell(bob, "D6").click();
  await bob.keyboard.up("Shift");
  await typeInto(ada, "E5", "350");
  await ada.getByRole("button", { name: /Chat/ }).click();
  await ada.getByText("I moved the offsite").waitFor();
  // Ada types the last total: completion, the signature and the range she dragged over, outlined.
  await cell(ada, "F7").click();
  await ada.keyboard.type("=SUM(");
  await cell(ada, "F2").click();
  await cell(ada, "F6").click({ modifiers: ["Shift"] });
  await ada.keyboard.type(")+ROU");
  await ada.waitForTimeout(300);
  await ada.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
