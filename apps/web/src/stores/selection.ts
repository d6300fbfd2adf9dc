import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import type { CellRef, Range } from "@cosheet/sheet";
import { clamp, spanning, type GridSize } from "../grid/navigation";

/**
 * This user's selection: an anchor and a focus (the active cell); the range between them is grown
 * by the grid shown to hold whole what must be selected whole (merged cells, see expandWith).
 */
export const useSelectionStore = defineStore("selection", () => {
  const anchor = ref<CellRef>({ row: 0, col: 0 });
  const focus = ref<CellRef>({ row: 0, col: 0 });
  const expand = shallowRef<(range: Range) => Range>((r) => r);
  const range = computed(() => expand.value(spanning(anchor.value, focus.value)));

  /** Grows every range selected with `grow` from now on; answers a function that puts the one before back. */
  function expandWith(grow: (range: Range) => Range): () => void {
    const before = expand.value;
    expand.value = grow;
    return () => {
      if (expand.value === grow) expand.value = before;
    };
  }

  /** Moves the active cell; with `extend`, keeps the anchor (Shift). */
  function select(pos: CellRef, extend = false): void {
    focus.value = { ...pos };
    if (!extend) anchor.value = { ...pos };
  }

  function selectRange(from: CellRef, to: CellRef): void {
    anchor.value = { ...from };
    focus.value = { ...to };
  }

  /** Keeps the selection inside a sheet that shrank. */
  function fit(size: GridSize): void {
    anchor.value = clamp(anchor.value, size);
    focus.value = clamp(focus.value, size);
  }

  return { anchor, focus, range, select, selectRange, fit, expandWith };
});
