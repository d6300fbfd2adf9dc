import { computed, nextTick, ref, toRef, watch, type Ref } from "vue";
import { formatRange, formulaReferences, functionNames, tabPrefix, type CellRef } from "@cosheet/sheet";
import { useEditingStore } from "../stores/editing";
import { callAt, expectsReference, namePrefixAt } from "./formulaAssist";
import { spanning } from "./navigation";
import { signatureParts } from "./signatures";

/** Colours of the references of the formula being edited, in order (as most spreadsheets do). */
export const REFERENCE_COLORS = ["#1f6feb", "#d1242f", "#8250df", "#1a7f37", "#bf8700", "#cf222e"];

const MAX_SUGGESTIONS = 8;

/**
 * Help while a formula is typed in the cell editor: function and tab names completed (arrows to choose,
 * Tab or Enter to take one, Escape to close the list), the signature of the call the caret is in,
 * the formula's references for the grid to outline, and clicking (or dragging over) cells to
 * insert their reference where one can go.
 */
export function useFormulaAssist(editor: Ref<HTMLTextAreaElement | HTMLInputElement | null>, tabNames: () => readonly string[] = () => []) {
  const editing = useEditingStore();
  const caret = toRef(editing, "caret");
  const draft = computed(() => editing.edit?.draft ?? "");
  /** Escape closes the list until the text changes. */
  const dismissed = ref(false);
  const chosen = ref(0);

  /** True while this editor has the focus: only then does it show its hints. */
  const focused = ref(false);
  watch(editor, (el, old) => {
    old?.removeEventListener("focus", onFocus);
    old?.removeEventListener("blur", onBlur);
    el?.addEventListener("focus", onFocus);
    el?.addEventListener("blur", onBlur);
    focused.value = el !== null && document.activeElement === el;
  });
  function onFocus(): void {
    focused.value = true;
    track();
  }
  function onBlur(): void {
    focused.value = false;
  }

  /** Follows the caret (call on input, key and click in the editor). */
  function track(): void {
    const el = editor.value;
    if (el) caret.value = el.selectionStart ?? el.value.length;
  }

  watch(draft, () => {
    dismissed.value = false;
    // The input that changed the draft has the focus: its caret is the one to follow.
    void nextTick(() => document.activeElement === editor.value && track());
  });

  const suggestions = computed(() => {
    if (dismissed.value || !focused.value) return null;
    const at = namePrefixAt(draft.value, caret.value);
    if (!at) return null;
    // The workbook's other tabs first, as the start of a reference to them (`Data!`), then functions.
    const lower = at.prefix.toLowerCase();
    const tabs = tabNames()
      .filter((n) => n.toLowerCase().startsWith(lower))
      .map(tabPrefix);
    const items = [...tabs, ...functionNames().filter((n) => n.startsWith(at.prefix))].slice(0, MAX_SUGGESTIONS);
    if (items.length === 0 || (items.length === 1 && items[0] === at.prefix)) return null;
    return { ...at, items };
  });
  watch(suggestions, () => (chosen.value = 0));

  const signature = computed(() => {
    if (!focused.value) return null;
    const call = callAt(draft.value, caret.value);
    return call ? signatureParts(call.name, call.arg) : null;
  });

  const references = computed(() =>
    formulaReferences(draft.value).map((ref, i) => ({ ...ref, color: REFERENCE_COLORS[i % REFERENCE_COLORS.length]! })),
  );

  /** Replaces `length` characters at `at` with `text` and puts the caret after it. */
  function splice(at: number, length: number, text: string): void {
    const value = draft.value;
    editing.setDraft(value.slice(0, at) + text + value.slice(at + length));
    const next = at + text.length;
    caret.value = next;
    void nextTick(() => {
      editor.value?.focus();
      editor.value?.setSelectionRange(next, next);
    });
  }

  function accept(index = chosen.value): void {
    const list = suggestions.value;
    const name = list?.items[index];
    if (!list || !name) return;
    splice(list.start, caret.value - list.start, name.endsWith("!") ? name : `${name}(`);
  }

  /** Handles the list's keys; true when the key was used. */
  function onKeydown(e: KeyboardEvent): boolean {
    const list = suggestions.value;
    if (!list) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const n = list.items.length;
      chosen.value = (chosen.value + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      return true;
    }
    if (e.key === "Tab" || e.key === "Enter") {
      accept();
      return true;
    }
    if (e.key === "Escape") {
      dismissed.value = true;
      return true;
    }
    return false;
  }

  /** The reference last inserted by pointing, while the caret is still right after it. */
  let pointed: { at: number; length: number; anchor: CellRef } | null = null;

  watch(
    () => editing.edit,
    () => (pointed = null),
  );

  function pointedAtCaret(): boolean {
    return pointed !== null && caret.value === pointed.at + pointed.length;
  }

  /** True when a click on a cell should insert its reference instead of ending the edit. */
  function canPoint(): boolean {
    return pointedAtCaret() || expectsReference(draft.value, caret.value);
  }

  /** Inserts a cell's reference at the caret; with `extend`, a range from the last one pointed at. */
  function point(pos: CellRef, extend = false): void {
    const again = pointedAtCaret() && pointed !== null;
    const anchor = extend && again ? pointed!.anchor : pos;
    const text = formatRange(spanning(anchor, pos));
    const at = again ? pointed!.at : caret.value;
    splice(at, again ? pointed!.length : 0, text);
    pointed = { at, length: text.length, anchor };
  }

  return { caret, track, suggestions, chosen, accept, onKeydown, signature, references, canPoint, point };
}
