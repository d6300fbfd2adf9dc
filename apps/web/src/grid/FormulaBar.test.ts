// @vitest-environment happy-dom
import { mount } from "@vue/test-utils";
import { createPinia } from "pinia";
import { describe, expect, it } from "vitest";
import FormulaBar from "./FormulaBar.vue";

describe("FormulaBar", () => {
  it("shows the active cell and its input as text, and reports edits", async () => {
    const bar = mount(FormulaBar, {
      props: { label: "B3", value: "<b>bold?</b>", editing: false },
      global: { plugins: [createPinia()] },
    });
    expect(bar.find("output").text()).toBe("B3");
    const input = bar.find("input");
    expect((input.element as HTMLInputElement).value).toBe("<b>bold?</b>");
    expect(bar.find("b").exists()).toBe(false);
    await input.trigger("focus");
    expect(bar.emitted("begin")).toHaveLength(1);
    await input.setValue("=1+1");
    expect(bar.emitted("input")?.[0]).toEqual(["=1+1"]);
    await input.trigger("keydown", { key: "Enter" });
    await input.trigger("keydown", { key: "Escape" });
    expect(bar.emitted("commit")).toHaveLength(1);
    expect(bar.emitted("cancel")).toHaveLength(1);
  });

  it("shows a read-only cell's input without starting an edit", async () => {
    const bar = mount(FormulaBar, {
      props: { label: "A1", value: "42", editing: false, readOnly: true },
      global: { plugins: [createPinia()] },
    });
    const input = bar.find("input");
    expect(input.attributes("readonly")).toBeDefined();
    await input.trigger("focus");
    expect(bar.emitted("begin")).toBeUndefined();
  });
});
