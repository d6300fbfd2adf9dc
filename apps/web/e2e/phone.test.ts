import { describe, expect, it } from "vitest";
import { createSheet, e2eSuite, openSheet } from "./harness.js";

const env = e2eSuite();

describe("a phone-sized window (390 px)", () => {
  it("keeps every control of the header in reach, and the toolbar on one line that scrolls", async () => {
    const id = await createSheet(env.server.url, "On a phone");
    const context = await env.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await openSheet(page, env.server.url, id);
    const controls = page.locator("header.top").locator("a, button, input, select");
    const count = await controls.count();
    expect(count).toBeGreaterThan(5);
    for (let i = 0; i < count; i++) {
      const control = controls.nth(i);
      if (!(await control.isVisible())) continue;
      // Inside the window and not covered: a trial click checks it could be clicked, without clicking.
      const box = (await control.boundingBox())!;
      expect(box.x, await control.evaluate((el) => el.outerHTML.slice(0, 80))).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      await control.click({ trial: true, timeout: 5000 });
    }
    for (const name of ["Share", "History", "Comments", "Chat"]) await page.getByRole("button", { name, exact: false }).first().click({ trial: true, timeout: 5000 });
    await expect.poll(() => page.getByRole("status").filter({ hasText: /^Saved$/ }).isVisible()).toBe(true);
    // The toolbar is one line, and its last control is reached by scrolling it.
    const toolbar = page.getByRole("toolbar", { name: "Formatting" });
    expect((await toolbar.boundingBox())!.height).toBeLessThan(48);
    await page.getByLabel("Freeze columns").click({ trial: true, timeout: 5000 });
    await page.getByLabel("Freeze columns").selectOption("1");
    await expect.poll(() => page.getByLabel("Freeze columns").inputValue()).toBe("1");
  });
});
