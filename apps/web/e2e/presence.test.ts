import { describe, expect, it } from "vitest";
import { cell, createSheet, e2eSuite } from "./harness.js";

const env = e2eSuite();

describe("presence and chat", () => {
  it("shows who is here, their cursors by name, group chat, and private messages", async () => {
    const id = await createSheet(env.server.url, "People");
    const ada = await env.person(id, { name: "Ada", color: "#c2410c" });
    const bob = await env.person(id, { name: "Bob", color: "#0369a1" });
    const cy = await env.person(id, { name: "Cy", color: "#4d7c0f" });

    await ada.getByText("3 here").waitFor();
    for (const name of ["Bob", "Cy"]) await ada.getByLabel("People here").getByText(name).waitFor();

    await cell(ada, "C4").click();
    const tag = bob.locator(".peer-cursor .tag", { hasText: "Ada" });
    await tag.waitFor();
    const tagBox = (await tag.boundingBox())!;
    const cellBox = (await cell(bob, "C4").boundingBox())!;
    expect(Math.abs(tagBox.x + tagBox.width - (cellBox.x + cellBox.width))).toBeLessThan(4);

    // A row inserted above Ada's cursor moves the cursor with its cell, on everyone's screen.
    await cy.locator('[role=row][aria-rowindex="3"] [role=rowheader]').click({ button: "right" });
    await cy.getByRole("menuitem", { name: "Insert row above" }).click();
    await expect
      .poll(async () => Math.round((await tag.boundingBox())!.y - (await cell(bob, "C5").boundingBox())!.y))
      .toBe(Math.round(tagBox.y - cellBox.y));

    await ada.getByRole("button", { name: "Chat" }).click();
    await ada.getByLabel("Message").fill("hello everyone <script>alert(1)</script>");
    await ada.getByRole("button", { name: "Send" }).click();
    await bob.getByLabel("1 unread").waitFor();
    await bob.getByRole("button", { name: /Chat/ }).click();
    await bob.getByText("hello everyone <script>alert(1)</script>").waitFor();

    await ada.getByLabel("Send to").selectOption({ label: "Bob (private)" });
    await ada.getByLabel("Message").fill("just between us");
    await ada.getByRole("button", { name: "Send" }).click();
    await bob.getByText("just between us").waitFor();
    expect(await bob.getByText("privately to you").count()).toBe(1);
    await cy.getByRole("button", { name: /Chat/ }).click();
    await cy.getByText("hello everyone").waitFor();
    expect(await cy.getByText("just between us").count()).toBe(0);

    await bob.close();
    await ada.getByText("2 here").waitFor();
  });
});
