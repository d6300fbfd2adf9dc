import { defineStore } from "pinia";
import { computed, ref } from "vue";
import type { CellRef } from "@cosheet/sheet";
import { clamp, spanning, type GridSize } from "../grid/navigation";

/** This user's selection: an anchor and a focus (the active cell). */
export const useSelectionStore = defineStore("selection", () => {
  const anchor = ref<CellRef>({ row: 0, col: 0 });
  const focus = ref<CellRef>({ row: 0, col: 0 });
  const range = computed(() => spanning(anchor.value, focus.value));

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

  return { anchor, focus, range, select, selectRange, fit };
});
