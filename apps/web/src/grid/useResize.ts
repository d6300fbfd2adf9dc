import { onScopeDispose, shallowRef } from "vue";

/** A resize under way: of which column or row, from what size, to what size now. */
export interface Resizing {
  index: number;
  from: number;
  startSize: number;
  size: number;
}

/**
 * Resizing a column or a row by dragging its header's edge: the size follows the mouse locally
 * (along `axis`, within `min` and `max`), and is reported (to be shared) once when the drag ends.
 */
export function useResize(
  axis: "x" | "y",
  limits: { min: number; max: number },
  sizeOf: (index: number) => number,
  resized: (index: number, size: number) => void,
) {
  const resizing = shallowRef<Resizing | null>(null);
  const at = (e: MouseEvent) => (axis === "x" ? e.clientX : e.clientY);

  function start(e: MouseEvent, index: number): void {
    const size = sizeOf(index);
    resizing.value = { index, from: at(e), startSize: size, size };
    e.preventDefault();
    e.stopPropagation();
  }

  function onMove(e: MouseEvent): void {
    const drag = resizing.value;
    if (drag) resizing.value = { ...drag, size: Math.max(limits.min, Math.min(limits.max, drag.startSize + at(e) - drag.from)) };
  }

  function onUp(): void {
    const drag = resizing.value;
    resizing.value = null;
    if (drag && drag.size !== drag.startSize) resized(drag.index, drag.size);
  }

  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  onScopeDispose(() => {
    window.removeEventListener("mousemove", onMove);
    window.removeEventListener("mouseup", onUp);
  });
  return { resizing, start };
}
