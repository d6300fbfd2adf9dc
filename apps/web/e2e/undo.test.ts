import { describe, expect, it } from "vitest";
import { asOwner, cell, createSheet, e2eSuite, shown, typeInto } from "./harness.js";

const env = e2eSuite();

/** What the server holds in a cell. */
async function stored(id: string, a1: string): Promise<string> {
  const res = await fetch(`${env.server.url}/api/sheets/${id}/cells?range=${a1}`, { headers: asOwner(id) });
  return ((await res.json()) as { cells: { input: string }[][] }).cells[0]![0]!.input;
}

describe("undo and redo", () => {
  it("from the toolbar, select what they changed, and skip with a notice a step someone else overwrote", async () => {
    const id = await createSheet(env.server.url, "Undo");
    const ada = await env.person(id, { name: "Ada", color: "#c2410c" });
    const bob = await env.person(id, { name: "Bob", color: "#0369a1" });
    const undo = ada.getByRole("button", { name: "Undo", exact: true });
    const redo = ada.getByRole("button", { name: "Redo", exact: true });
    expect(await undo.isDisabled()).toBe(true);

    // A cell below the first screen, reached from the keyboard.
    await cell(ada, "A1").click();
    for (let i = 0; i < 39; i++) await ada.keyboard.press("ArrowDown");
    await ada.keyboard.type("far down");
    await ada.keyboard.press("Enter");
    await ada.keyboard.press("Control+Home");
    await typeInto(ada, "B2", "mine");
    await expect.poll(() => shown(bob, "B2")).toBe("mine");
    await typeInto(bob, "B2", "bob's");
    await expect.poll(() => shown(ada, "B2")).toBe("bob's");

    // Ada's last step was overwritten: it is skipped, said so, and nothing older is undone.
    await cell(ada, "D3").click();
    await undo.click();
    await ada.getByText("Skipped undoing your change to B2: someone else has changed it since.").waitFor();
    expect(await shown(ada, "B2")).toBe("bob's");
    expect(await stored(id, "A40")).toBe("far down");
    await ada.getByRole("grid").press("Control+Home");

    // The next undo is the older step: the cell is selected and scrolled to.
    await undo.click();
    await expect.poll(() => ada.getByLabel("Active cell").inputValue()).toBe("A40");
    expect(await shown(ada, "A40")).toBe("");
    await expect.poll(() => stored(id, "A40")).toBe("");
    expect(await undo.isDisabled()).toBe(true);
    await cell(ada, "A40").evaluate((el) => {
      const grid = el.closest("[role=grid]")!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      if (box.top < grid.top || box.bottom > grid.bottom) throw new Error("A40 is not in view");
    });

    // Redo puts it back, selected.
    await ada.getByRole("grid").press("Control+Home");
    await redo.click();
    await expect.poll(() => stored(id, "A40")).toBe("far down");
    expect(await ada.getByLabel("Active cell").inputValue()).toBe("A40");
    expect(await redo.isDisabled()).toBe(true);
  });
});
