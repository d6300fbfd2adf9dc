import { onScopeDispose, watch } from "vue";
import type * as Y from "yjs";
import type { CellIds, CellRef, Sheet } from "@cosheet/sheet";
import type { SheetSession } from "../collab/session";
import { useSelectionStore } from "../stores/selection";

/**
 * Keeps my selection on the same cells when someone else inserts or deletes rows or columns: the
 * selection is remembered by cell ids and put back where those cells went (kept in the sheet if
 * they were deleted).
 */
export function useSelectionFollowsCells(session: SheetSession, tab: () => Sheet): void {
  const selection = useSelectionStore();
  const { doc } = session;
  const idsOf = (pos: CellRef) => tab().idsAt(pos.row, pos.col);
  const posOf = (ids: CellIds | null) => (ids ? tab().positionOfIds(ids) : null);

  let remembered = { focus: idsOf(selection.focus), anchor: idsOf(selection.anchor) };
  const stop = watch(
    () => [selection.focus, selection.anchor, tab()] as const,
    ([focus, anchor]) => {
      remembered = { focus: idsOf(focus), anchor: idsOf(anchor) };
    },
  );

  const onTransaction = (tr: Y.Transaction) => {
    const sheet = tab();
    if (tr.local || !sheet.changesStructure(tr)) return;
    const focus = posOf(remembered.focus);
    const anchor = posOf(remembered.anchor);
    if (focus && anchor) selection.selectRange(anchor, focus);
    else selection.fit({ rows: sheet.rowCount, cols: sheet.colCount });
  };
  doc.on("afterTransaction", onTransaction);

  onScopeDispose(() => {
    stop();
    doc.off("afterTransaction", onTransaction);
  });
}
