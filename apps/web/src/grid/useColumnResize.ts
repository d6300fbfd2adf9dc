import { onScopeDispose, shallowRef } from "vue";

/**
 * Resizing a column by dragging its header's edge: the width follows the mouse locally, and is
 * reported (to be shared) once when the drag ends.
 */
export function useColumnResize(widthOf: (col: number) => number, resized: (col: number, width: number) => void) {
  const resizing = shallowRef<{ col: number; startX: number; startWidth: number; width: number } | null>(null);

  function start(e: MouseEvent, col: number): void {
    const width = widthOf(col);
    resizing.value = { col, startX: e.clientX, startWidth: width, width };
    e.preventDefault();
    e.stopPropagation();
  }

  function onMove(e: MouseEvent): void {
    const drag = resizing.value;
    if (drag) resizing.value = { ...drag, width: Math.max(20, Math.min(2000, drag.startWidth + e.clientX - drag.startX)) };
  }

  function onUp(): void {
    const drag = resizing.value;
    resizing.value = null;
    if (drag && drag.width !== drag.startWidth) resized(drag.col, drag.width);
  }

  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  onScopeDispose(() => {
    window.removeEventListener("mousemove", onMove);
    window.removeEventListener("mouseup", onUp);
  });
  return { resizing, start };
}
