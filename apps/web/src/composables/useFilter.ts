import { computed, shallowRef, watch, type Ref } from "vue";
import {
  FilteredRows,
  newFilter,
  shareColumnFilter,
  sharedFilter,
  shareFilter,
  SheetLimitError,
  withColumn,
  type ColumnFilter,
  type Filter,
  type Range,
  type Sheet,
} from "@cosheet/sheet";

/** The filter a tab shows: one's own (seen by nobody else) or the one for everyone. */
export interface ShownFilter {
  filter: Filter;
  /** Everyone sees it: it is in the document (see shareFilter). */
  shared: boolean;
}

/**
 * The filters of a sheet as one person sees them: each tab may have a filter for everyone, kept
 * in the document, and this person's own, kept in this page only; their own shows instead of the
 * shared one while they have it. Changing the shared one is an edit (`origin` tags it); anyone,
 * a viewer too, may filter their own view.
 */
export function useFilter(tab: () => Sheet, version: Ref<number>, origin: unknown) {
  /** This person's own filters, by tab id. */
  const own = shallowRef(new Map<string, Filter>());

  const shown = computed((): ShownFilter | null => {
    void version.value;
    const sheet = tab();
    const mine = own.value.get(sheet.tab);
    if (mine) return { filter: mine, shared: false };
    const shared = sharedFilter(sheet);
    return shared ? { filter: shared, shared: true } : null;
  });

  /** The rows the filter shown hides, kept as the tab changes (see FilteredRows). */
  const tracked = shallowRef<FilteredRows | null>(null);
  watch(
    () => shown.value?.filter,
    (filter, _, onCleanup) => {
      const rows = filter ? new FilteredRows(tab(), filter) : null;
      tracked.value = rows;
      onCleanup(() => rows?.dispose());
    },
    { immediate: true },
  );

  /** Where the filter is now (null when it is off, or lost its header row or an edge column). */
  const placed = computed(() => {
    void version.value;
    return tracked.value?.where() ?? null;
  });

  /** The rows it hides, in order (a new value typed may be hidden as it comes). */
  const hidden = computed((): readonly number[] => {
    void version.value;
    return tracked.value?.rows() ?? [];
  });

  /** What the grid draws: the header cells with buttons, and which columns are filtered. */
  const header = computed(() => {
    const p = placed.value;
    if (!p) return null;
    const sheet = tab();
    const filtered = new Set(Object.keys(p.filter.columns).map((id) => sheet.cols.indexOf(id)));
    return { header: p.header, from: p.from, to: p.to, filtered };
  });

  function setOwn(filter: Filter | null): void {
    const next = new Map(own.value);
    if (filter) next.set(tab().tab, filter);
    else next.delete(tab().tab);
    own.value = next;
  }

  /**
   * A filter of one's own on the selection's first row, over its columns; for one cell selected,
   * over the columns of the table (the used range) that it heads.
   */
  function create(range: Range): void {
    const sheet = tab();
    const single = range.start.row === range.end.row && range.start.col === range.end.col;
    const used = sheet.usedRange();
    if (single && (!used || range.start.row >= used.end.row)) {
      throw new SheetLimitError("Select the header row of a table to filter it: there is nothing below this cell.");
    }
    const to = single ? used!.end.col : range.end.col;
    setOwn(newFilter(sheet, range.start.row, single ? 0 : range.start.col, to));
  }

  /** Removes the filter shown: one's own, or the one for everyone (an edit). */
  function remove(): void {
    const now = shown.value;
    if (!now) return;
    if (now.shared) shareFilter(tab(), null, origin);
    else setOwn(null);
  }

  /**
   * What a column of the filter shown keeps (every row for null). With `own`, a change to the
   * shared filter makes it one's own instead (for one who may not change the sheet).
   */
  function setColumn(col: number, kept: ColumnFilter | null, own = false): void {
    const now = shown.value;
    const colId = tab().cols.idAt(col);
    if (!now || colId === undefined) return;
    if (now.shared && !own) shareColumnFilter(tab(), colId, kept, origin);
    else setOwn(withColumn(now.filter, colId, kept));
  }

  /** Turns one's own filter into the one for everyone (true), or the shared one into one's own (false). */
  function share(everyone: boolean): void {
    const now = shown.value;
    if (!now || now.shared === everyone) return;
    if (everyone) {
      shareFilter(tab(), now.filter, origin);
      setOwn(null);
    } else {
      setOwn(now.filter);
      shareFilter(tab(), null, origin);
    }
  }

  return { shown, placed, hidden, header, create, remove, setColumn, share };
}
