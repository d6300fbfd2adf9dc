import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cell, createSheet, e2eSuite, shown, typeInto } from "./harness.js";

const env = e2eSuite();

/** Waits until the server has every change of the page. */
const saved = (page: Page) => page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();

describe("history", () => {
  it("names a version, previews it with its differences, restores it for everyone, and lists a cell's values", async () => {
    const id = await createSheet(env.server.url, "Budget");
    const ada = await env.person(id, { name: "Ada", color: "#c2410c" });
    await typeInto(ada, "A1", "draft");
    await saved(ada);

    const historyButton = ada.getByRole("button", { name: "History", exact: true });
    await historyButton.click();
    const panel = ada.getByRole("complementary", { name: "History" });
    await panel.getByLabel("Version name").fill("First draft");
    await panel.getByRole("button", { name: "Name this version" }).click();
    await panel.getByRole("button", { name: /^First draft/ }).waitFor();
    await ada.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    expect(await historyButton.evaluate((b) => b === document.activeElement)).toBe(true);

    await typeInto(ada, "A1", "final");
    await typeInto(ada, "B2", "extra");
    await saved(ada);
    const bob = await env.person(id, { name: "Bob", color: "#0369a1" });
    await expect.poll(() => shown(bob, "B2")).toBe("extra");

    await historyButton.click();
    await panel.getByRole("button", { name: /^First draft/ }).click();
    await ada.getByText(/^Viewing the version “First draft” of .* — read only$/).waitFor();
    expect(await shown(ada, "A1")).toBe("draft");
    expect(await shown(ada, "B2")).toBe("");
    for (const a1 of ["A1", "B2"]) expect(await cell(ada, a1).getAttribute("aria-description")).toBe("changed");
    expect(await cell(ada, "A2").getAttribute("aria-description")).toBeNull();
    expect(await ada.getByRole("grid").getAttribute("aria-readonly")).toBe("true");

    await ada.getByRole("button", { name: "Restore this version" }).click();
    await ada.getByRole("alertdialog").getByRole("button", { name: "Restore" }).click();
    await ada.getByText(/^Restored the version “First draft” of .*; the sheet as it was before is saved as “Before restore of/).waitFor();
    expect(await ada.getByText(/^Viewing the version/).count()).toBe(0);
    for (const page of [ada, bob]) {
      await expect.poll(() => shown(page, "A1")).toBe("draft");
      await expect.poll(() => shown(page, "B2")).toBe("");
    }
    await panel.getByRole("button", { name: /^Before restore of/ }).waitFor();

    await typeInto(bob, "A1", "bob's");
    await saved(bob);
    await expect.poll(() => shown(ada, "A1")).toBe("bob's");
    await cell(ada, "A1").click({ button: "right" });
    await ada.getByRole("menuitem", { name: "Edit history" }).click();
    const values = ada.getByRole("dialog", { name: "Edit history of A1" }).getByRole("listitem");
    await values.first().waitFor();
    const entries = await values.evaluateAll((items) =>
      items.map((li) => [li.querySelector(".value")!.textContent!.trim(), li.querySelector(".who")!.textContent!.trim()]),
    );
    expect(entries).toEqual([
      ["bob's", "Bob"],
      ["draft", "Ada, restoring a version"],
      ["final", "Ada"],
      ["draft", "Ada"],
    ]);
  });
});
