import { onScopeDispose, shallowRef, watch } from "vue";
import type * as Y from "yjs";
import type { Sheet } from "@cosheet/sheet";
import type { SheetSession } from "../collab/session";

/**
 * The tab shown (`tab`, which may change) as Vue sees it: plain values in shallowRefs, refreshed by Yjs observers after every
 * transaction (local or remote), and `version` bumped so views re-read visible cells. Cell data is
 * never copied into Vue state.
 */
export function useSheetView(session: SheetSession, tab: () => Sheet, onRemoteCellChange?: (keys: Set<string>) => void) {
  const { doc } = session;
  const version = shallowRef(0);
  const title = shallowRef(session.sheet.title);
  const rowCount = shallowRef(tab().rowCount);
  const colCount = shallowRef(tab().colCount);

  const refresh = () => {
    title.value = session.sheet.title;
    rowCount.value = tab().rowCount;
    colCount.value = tab().colCount;
    version.value++;
  };
  const onCells = (event: Y.YMapEvent<string>) => {
    if (!event.transaction.local && onRemoteCellChange) onRemoteCellChange(event.keysChanged as Set<string>);
  };
  doc.on("afterTransaction", refresh);
  // The tab shown: its cells are watched for changes made by others, and its size read again.
  const stop = watch(
    tab,
    (sheet, before) => {
      before?.types.cells.unobserve(onCells);
      sheet.types.cells.observe(onCells);
      refresh();
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    doc.off("afterTransaction", refresh);
    stop();
    tab().types.cells.unobserve(onCells);
  });
  return { version, title, rowCount, colCount };
}
