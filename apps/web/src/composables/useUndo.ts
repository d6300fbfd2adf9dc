import { onScopeDispose, shallowRef } from "vue";
import { formatCell, type Range, type Sheet } from "@cosheet/sheet";
import type { SheetSession } from "../collab/session";
import { undoStep, type UndoKind } from "../collab/undo";

/** The cells a skipped step wrote, for the notice: a few by name, then how many more. */
function cellNames(cells: { row: number; col: number }[]): string {
  const named = cells.slice(0, 3).map(formatCell).join(", ");
  return cells.length > 3 ? `${named} and ${cells.length - 3} more` : named;
}

/**
 * This user's undo and redo, as the toolbar and the keys use them: whether there is a step each
 * way, and a step that selects (and shows) what it changed, or says why it changed nothing.
 */
export function useUndo(session: SheetSession, tab: () => Sheet, show: (range: Range) => void, notify: (message: string) => void) {
  const canUndo = shallowRef(false);
  const canRedo = shallowRef(false);
  const refresh = () => {
    canUndo.value = session.undo.undoStack.length > 0;
    canRedo.value = session.undo.redoStack.length > 0;
  };
  const events = ["stack-item-added", "stack-item-popped", "stack-cleared"] as const;
  for (const event of events) session.undo.on(event, refresh);
  onScopeDispose(() => {
    for (const event of events) session.undo.off(event, refresh);
  });

  function step(kind: UndoKind): void {
    const outcome = undoStep(tab(), session.undo, kind);
    refresh();
    if (outcome.kind === "done" && outcome.range) show(outcome.range);
    else if (outcome.kind === "skipped") {
      const where = outcome.cells.length ? ` to ${cellNames(outcome.cells)}` : "";
      notify(`Skipped ${kind === "undo" ? "undoing" : "redoing"} your change${where}: someone else has changed it since.`);
    }
  }

  return { canUndo, canRedo, step };
}
