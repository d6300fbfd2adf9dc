import { onScopeDispose, shallowRef } from "vue";
import type * as Y from "yjs";
import type { SheetSession } from "../collab/session";

/**
 * The sheet as Vue sees it: plain values in shallowRefs, refreshed by Yjs observers after every
 * transaction (local or remote), and `version` bumped so views re-read visible cells. Cell data is
 * never copied into Vue state.
 */
export function useSheetView(session: SheetSession, onRemoteCellChange?: (keys: Set<string>) => void) {
  const { sheet, doc } = session;
  const version = shallowRef(0);
  const title = shallowRef(sheet.title);
  const rowCount = shallowRef(sheet.rowCount);
  const colCount = shallowRef(sheet.colCount);

  const refresh = () => {
    title.value = sheet.title;
    rowCount.value = sheet.rowCount;
    colCount.value = sheet.colCount;
    version.value++;
  };
  const onCells = (event: Y.YMapEvent<string>) => {
    if (!event.transaction.local && onRemoteCellChange) onRemoteCellChange(event.keysChanged as Set<string>);
  };
  doc.on("afterTransaction", refresh);
  sheet.types.cells.observe(onCells);
  onScopeDispose(() => {
    doc.off("afterTransaction", refresh);
    sheet.types.cells.unobserve(onCells);
  });
  return { version, title, rowCount, colCount };
}
