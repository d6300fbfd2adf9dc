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
    expect((bar.find("input[aria-label='Active cell']").element as HTMLInputElement).value).toBe("B3");
    const input = bar.find("textarea");
    expect((input.element as HTMLTextAreaElement).value).toBe("<b>bold?</b>");
    expect(bar.find("b").exists()).toBe(false);
    await input.trigger("focus");
    expect(bar.emitted("begin")).toHaveLength(1);
    await input.setValue("=1+1");
    expect(bar.emitted("input")?.[0]).toEqual(["=1+1"]);
    await input.trigger("keydown", { key: "Enter" });
    await input.trigger("keydown", { key: "Escape" });
    expect(bar.emitted("commit")).toHaveLength(1);
    expect(bar.emitted("cancel")).toHaveLength(1);
    // Alt+Enter puts a line break where the caret is, without committing.
    (input.element as HTMLTextAreaElement).setSelectionRange(2, 2);
    await input.trigger("keydown", { key: "Enter", altKey: true });
    expect(bar.emitted("input")?.at(-1)).toEqual(["=1\n+1"]);
    expect(bar.emitted("commit")).toHaveLength(1);
  });

  it("goes to what is typed into the name box on Enter, and back to the grid on Escape", async () => {
    const bar = mount(FormulaBar, {
      props: { label: "A1", value: "", editing: false },
      global: { plugins: [createPinia()] },
    });
    const name = bar.find("input[aria-label='Active cell']");
    await name.setValue("c5:d9");
    await name.trigger("keydown", { key: "Enter" });
    expect(bar.emitted("go")).toEqual([["c5:d9"]]);
    expect((name.element as HTMLInputElement).value).toBe("A1");
    await name.setValue("zz");
    await name.trigger("keydown", { key: "Escape" });
    expect(bar.emitted("leave")).toHaveLength(1);
    expect((name.element as HTMLInputElement).value).toBe("A1");
  });

  it("shows a read-only cell's input without starting an edit", async () => {
    const bar = mount(FormulaBar, {
      props: { label: "A1", value: "42", editing: false, readOnly: true },
      global: { plugins: [createPinia()] },
    });
    const input = bar.find("textarea");
    expect(input.attributes("readonly")).toBeDefined();
    await input.trigger("focus");
    expect(bar.emitted("begin")).toBeUndefined();
  });
});
