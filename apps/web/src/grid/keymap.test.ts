import { describe, expect, it } from "vitest";
import { gridCommand, type KeyPress } from "./keymap";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code: mods.code ?? "",
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  repeat: false,
  ...mods,
});
const editable = { readOnly: false, history: true, canComment: true };
const readOnly = { readOnly: true, history: true, canComment: true };

describe("the grid's keymap", () => {
  it("turns formatting on and off: Ctrl+B, Ctrl+I, Ctrl+U, Alt+Shift+5 (strikethrough), swallowed when read-only", () => {
    const styles = ["b", "i", "u"].map((key) => gridCommand(press(key, { ctrlKey: true }), editable));
    expect(styles).toEqual(["bold", "italic", "underline"].map((style) => ({ kind: "style", style })));
    expect(gridCommand(press("%", { altKey: true, shiftKey: true, code: "Digit5" }), editable)).toEqual({ kind: "style", style: "strike" });
    expect(gridCommand(press("u", { ctrlKey: true }), readOnly)).toEqual({ kind: "swallow" });
    // Ctrl+5 is the browser's (its fifth tab).
    expect(gridCommand(press("5", { ctrlKey: true }), editable)).toBeNull();
  });

  it("moves, extends and jumps to the data's edge, with Ctrl or Cmd alike", () => {
    expect(gridCommand(press("ArrowDown"), editable)).toEqual({ kind: "move", dir: "down", toEdge: false, extend: false });
    expect(gridCommand(press("ArrowLeft", { shiftKey: true }), editable)).toEqual({ kind: "move", dir: "left", toEdge: false, extend: true });
    for (const mod of [{ ctrlKey: true }, { metaKey: true }]) {
      expect(gridCommand(press("ArrowRight", mod), editable)).toEqual({ kind: "move", dir: "right", toEdge: true, extend: false });
      expect(gridCommand(press("PageDown", mod), editable)).toEqual({ kind: "switchTab", by: 1 });
      expect(gridCommand(press("z", mod), editable)).toEqual({ kind: "undo" });
      expect(gridCommand(press("Z", { ...mod, shiftKey: true }), editable)).toEqual({ kind: "redo" });
    }
    expect(gridCommand(press("Tab", { shiftKey: true }), editable)).toEqual({ kind: "step", dir: "left" });
    expect(gridCommand(press("Enter", { shiftKey: true }), editable)).toEqual({ kind: "step", dir: "up" });
    expect(gridCommand(press("End", { ctrlKey: true, shiftKey: true }), editable)).toEqual({ kind: "rowEnd", sheet: true, extend: true });
  });

  it("selects whole columns with Ctrl+Space and whole rows with Shift+Space, in a read-only grid too; a space alone is typed", () => {
    for (const options of [editable, readOnly]) {
      expect(gridCommand(press(" ", { ctrlKey: true }), options)).toEqual({ kind: "selectColumns" });
      expect(gridCommand(press(" ", { metaKey: true }), options)).toEqual({ kind: "selectColumns" });
      expect(gridCommand(press(" ", { shiftKey: true }), options)).toEqual({ kind: "selectRows" });
    }
    expect(gridCommand(press(" "), editable)).toEqual({ kind: "type", text: " " });
    expect(gridCommand(press(" ", { ctrlKey: true, shiftKey: true }), editable)).toBeNull();
  });

  it("starts editing with a typed character, and leaves keys it has no use for to the browser", () => {
    expect(gridCommand(press("x"), editable)).toEqual({ kind: "type", text: "x" });
    expect(gridCommand(press("F2"), editable)).toEqual({ kind: "edit" });
    expect(gridCommand(press("c", { ctrlKey: true }), editable)).toBeNull();
    expect(gridCommand(press("F5"), editable)).toBeNull();
    expect(gridCommand(press("é", { altKey: true }), editable)).toBeNull();
  });

  it("reads history and comment shortcuts by the key's place, and only where they exist", () => {
    // Alt and Shift change the character on a Mac: Cmd+Option+Shift+H types "Ó".
    expect(gridCommand(press("Ó", { metaKey: true, altKey: true, shiftKey: true, code: "KeyH" }), editable)).toEqual({ kind: "history" });
    expect(gridCommand(press("µ", { metaKey: true, altKey: true, code: "KeyM" }), editable)).toEqual({ kind: "comment" });
    expect(gridCommand(press("µ", { metaKey: true, altKey: true, code: "KeyM" }), { ...editable, canComment: false })).toBeNull();
  });

  it("in a read-only grid, swallows the keys that would edit and still navigates", () => {
    expect(gridCommand(press("x"), readOnly)).toEqual({ kind: "swallow" });
    expect(gridCommand(press(" "), readOnly)).toEqual({ kind: "swallow" });
    expect(gridCommand(press("d", { ctrlKey: true }), readOnly)).toEqual({ kind: "swallow" });
    expect(gridCommand(press("Delete"), readOnly)).toBeNull();
    expect(gridCommand(press("c", { ctrlKey: true }), readOnly)).toBeNull();
    expect(gridCommand(press("ArrowUp"), readOnly)).toEqual({ kind: "move", dir: "up", toEdge: false, extend: false });
    expect(gridCommand(press("F10", { shiftKey: true }), readOnly)).toEqual({ kind: "menu" });
  });

  it("inserts or deletes once for a held key", () => {
    expect(gridCommand(press("=", { ctrlKey: true, altKey: true }), editable)).toEqual({ kind: "insert" });
    expect(gridCommand(press("=", { ctrlKey: true, altKey: true, repeat: true }), editable)).toEqual({ kind: "swallow" });
    expect(gridCommand(press("-", { metaKey: true, altKey: true }), editable)).toEqual({ kind: "delete" });
  });
});
