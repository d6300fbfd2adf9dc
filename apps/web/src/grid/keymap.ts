import type { Direction } from "./navigation";

/** What a key pressed on the grid (not in the cell editor) asks for. */
export type GridCommand =
  | { kind: "move"; dir: Direction; toEdge: boolean; extend: boolean }
  /** Tab and Enter: one cell on, without extending the selection. */
  | { kind: "step"; dir: Direction }
  | { kind: "rowStart"; sheet: boolean; extend: boolean }
  | { kind: "rowEnd"; sheet: boolean; extend: boolean }
  | { kind: "page"; dir: "up" | "down"; extend: boolean }
  | { kind: "switchTab"; by: 1 | -1 }
  | { kind: "selectAll" }
  /** Ctrl+Space and Shift+Space: the whole columns, or the whole rows, of the selection. */
  | { kind: "selectColumns" }
  | { kind: "selectRows" }
  | { kind: "history" }
  | { kind: "comment" }
  | { kind: "menu" }
  | { kind: "insert" }
  | { kind: "delete" }
  | { kind: "edit" }
  | { kind: "clear" }
  | { kind: "fill"; dir: "down" | "right" }
  | { kind: "style"; style: ToggledStyle }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "type"; text: string }
  /** Nothing to do, and nothing for the browser to do either (a key that edits, in a read-only grid). */
  | { kind: "swallow" };

/** The parts of a KeyboardEvent the keymap reads. */
export type KeyPress = Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey" | "repeat">;

/** What the grid offers beside editing: history and comments only where they exist. */
export interface KeymapOptions {
  readOnly: boolean;
  history: boolean;
  canComment: boolean;
}

/** The arrow keys' directions, by `KeyboardEvent.key`. */
export const ARROWS: Readonly<Record<string, Direction>> = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };
/**
 * The formatting a key turns on and off: Ctrl+B, Ctrl+I, Ctrl+U, and Alt+Shift+5 for
 * strikethrough (as in Google Sheets: browsers keep Ctrl+5 for their tabs).
 */
export type ToggledStyle = "bold" | "italic" | "underline" | "strike";
const STYLE_KEYS: Readonly<Record<string, ToggledStyle>> = { b: "bold", i: "italic", u: "underline" };

/** Shortcuts that edit (fill, formatting, undo, redo), swallowed in a read-only grid. */
const READ_ONLY_SWALLOWED: ReadonlySet<string> = new Set(["d", "r", "b", "i", "u", "y", "z"]);

/** The command for a key, or null for one the grid leaves to the browser. Ctrl or Cmd alike. */
export function gridCommand(e: KeyPress, options: KeymapOptions): GridCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  const dir = ARROWS[e.key];
  if (dir) return { kind: "move", dir, toEdge: mod, extend: e.shiftKey };
  if (e.key === "Tab") return { kind: "step", dir: e.shiftKey ? "left" : "right" };
  if (e.key === "Enter") return { kind: "step", dir: e.shiftKey ? "up" : "down" };
  if (e.key === "Home") return { kind: "rowStart", sheet: mod, extend: e.shiftKey };
  if (e.key === "End") return { kind: "rowEnd", sheet: mod, extend: e.shiftKey };
  if (e.key === "PageDown" || e.key === "PageUp") {
    if (mod) return { kind: "switchTab", by: e.key === "PageDown" ? 1 : -1 };
    return { kind: "page", dir: e.key === "PageDown" ? "down" : "up", extend: e.shiftKey };
  }
  if (mod && key === "a") return { kind: "selectAll" };
  if (e.key === " " && mod && !e.shiftKey && !e.altKey) return { kind: "selectColumns" };
  if (e.key === " " && e.shiftKey && !mod && !e.altKey) return { kind: "selectRows" };
  // By the key's place, not its character: Alt and Shift change the character on a Mac.
  if (options.history && mod && e.altKey && e.shiftKey && e.code === "KeyH") return { kind: "history" };
  if (options.canComment && mod && e.altKey && !e.shiftKey && e.code === "KeyM") return { kind: "comment" };
  if (e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) return { kind: "menu" };
  if (options.readOnly) {
    // Every key below changes the sheet (the header menu only inserts and deletes). Here they do
    // nothing, and neither do the browser's defaults for them: a typed space would scroll the
    // grid a page, Ctrl+D bookmark the page. Copy, cut and paste are clipboard events, left alone.
    return (mod ? READ_ONLY_SWALLOWED.has(key) : e.key.length === 1) ? { kind: "swallow" } : null;
  }
  // A held key inserts or deletes once, not once per repeat.
  if (mod && e.altKey && (e.key === "=" || e.key === "+")) return e.repeat ? { kind: "swallow" } : { kind: "insert" };
  if (mod && e.altKey && e.key === "-") return e.repeat ? { kind: "swallow" } : { kind: "delete" };
  if (e.key === "F2") return { kind: "edit" };
  if (e.key === "Delete" || e.key === "Backspace") return { kind: "clear" };
  if (mod && !e.shiftKey && (key === "d" || key === "r")) return { kind: "fill", dir: key === "d" ? "down" : "right" };
  if (mod && !e.altKey && Object.hasOwn(STYLE_KEYS, key)) return { kind: "style", style: STYLE_KEYS[key]! };
  if (e.altKey && e.shiftKey && !mod && e.code === "Digit5") return { kind: "style", style: "strike" };
  if (mod && (key === "y" || (key === "z" && e.shiftKey))) return { kind: "redo" };
  if (mod && key === "z") return { kind: "undo" };
  if (e.key.length === 1 && !mod && !e.altKey) return { kind: "type", text: e.key };
  return null;
}
