import { computed, onScopeDispose, reactive, ref, shallowRef, watch, type Ref } from "vue";
import { findAll, replaceIn, type CellRef, type FindOptions, type Sheet } from "@cosheet/sheet";

/** How long typing (or others' edits) settle before the sheet is searched again. */
const SETTLE_MS = 120;

/** The index of the first of `matches` (in reading order) at or after `from`, by binary search. */
function firstFrom(matches: readonly CellRef[], from: CellRef): number {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = matches[mid]!;
    if (m.row < from.row || (m.row === from.row && m.col < from.col)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const same = (a: CellRef | undefined, b: CellRef) => a !== undefined && a.row === b.row && a.col === b.col;

/** The first of `matches` (in reading order) after `from`, or before it for `dir` -1; wraps around. */
export function stepMatch(matches: readonly CellRef[], from: CellRef, dir: 1 | -1): CellRef | null {
  if (matches.length === 0) return null;
  const at = firstFrom(matches, from);
  const i = dir === 1 ? (same(matches[at], from) ? at + 1 : at) : at - 1;
  return matches[(i + matches.length) % matches.length]!;
}

/** Which of `matches` (from 1) a cell is, or 0 when it is none. */
export function matchOrdinal(matches: readonly CellRef[], cell: CellRef): number {
  const at = firstFrom(matches, cell);
  return same(matches[at], cell) ? at + 1 : 0;
}

/**
 * Find and replace over the whole tab shown (every cell, not only those on screen): the query and
 * options, the matches in reading order, kept current as anyone edits, and the steps between them.
 */
export function useFind(tab: () => Sheet, version: Ref<number>) {
  const query = ref("");
  const replacement = ref("");
  const options = reactive({ matchCase: false, wholeCell: false, formulas: false });
  const matches = shallowRef<readonly CellRef[]>([]);
  const error = ref<string | null>(null);
  const open = ref<"find" | "replace" | null>(null);

  const spec = (): FindOptions => ({ query: query.value, ...options });

  function search(): void {
    error.value = null;
    if (!open.value || query.value === "") {
      matches.value = [];
      return;
    }
    try {
      matches.value = findAll(tab(), spec());
    } catch (err) {
      matches.value = [];
      error.value = (err as Error).message;
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(search, SETTLE_MS);
  };
  watch([query, () => ({ ...options }), version, tab, open], later);
  onScopeDispose(() => clearTimeout(timer));

  /** Searches now (what was typed may not have settled yet) and answers the match after or before `from`. */
  function step(from: CellRef, dir: 1 | -1): CellRef | null {
    clearTimeout(timer);
    search();
    return stepMatch(matches.value, from, dir);
  }

  /** Replaces in one cell if it is a match; answers whether it changed. */
  function replaceOne(sheet: Sheet, cell: CellRef, origin: unknown): boolean {
    const changed = matchOrdinal(matches.value, cell) > 0 && replaceIn(sheet, [cell], spec(), replacement.value, origin) > 0;
    search();
    return changed;
  }

  /** Replaces in every match, as one step; answers how many cells changed of how many matched. */
  function replaceAll(sheet: Sheet, origin: unknown): { changed: number; matched: number } {
    search();
    const matched = matches.value.length;
    const changed = matched ? replaceIn(sheet, matches.value, spec(), replacement.value, origin) : 0;
    search();
    return { changed, matched };
  }

  const count = computed(() => matches.value.length);
  return { query, replacement, options, matches, count, error, open, step, replaceOne, replaceAll };
}
