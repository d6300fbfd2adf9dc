import type * as Y from "yjs";
import { CONTENT_LIMITS, isOrderKey, isTabName } from "./content.js";
import { isColor } from "./format.js";
import { FIRST_TAB } from "./schema.js";

/** A tab as the workbook shows it. */
export interface Tab {
  id: string;
  /** Its name as shown: unique in the workbook (see above). */
  name: string;
  /** Its place among the tabs shown, from 0. */
  index: number;
  color: string | undefined;
}

/** The order key of the first tab while it has none of its own: the first key there is. */
export const FIRST_ORDER = "a0";

/** Ids of every tab a workbook has had (its `tabs` map), deleted ones included. */
export function tabIds(tabs: Y.Map<unknown>): string[] {
  const ids = new Set<string>([FIRST_TAB]);
  for (const key of tabs.keys()) {
    const [id, attr] = key.split(":");
    if (attr === "name" && id) ids.add(id);
  }
  return [...ids];
}

/** The tabs a workbook shows (see `tabs.ts`), in order, with their names as shown. */
export function listTabs(tabs: Y.Map<unknown>): Tab[] {
  const attr = (id: string, name: string) => tabs.get(`${id}:${name}`);
  const order = (id: string) => {
    const key = attr(id, "order");
    return isOrderKey(key) ? key : FIRST_ORDER;
  };
  const visible = tabIds(tabs).filter((id) => attr(id, "deleted") !== true);
  // Deletes made at once can leave none: a workbook always shows one, the first, on every replica.
  const shown = (visible.length > 0 ? visible : [FIRST_TAB]).sort((a, b) => {
    const [ka, kb] = [order(a), order(b)];
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const taken = new Set<string>();
  const limit = CONTENT_LIMITS.tabName;
  return shown.map((id, index) => {
    const stored = attr(id, "name");
    const base = isTabName(stored) ? stored : id === FIRST_TAB ? "Sheet1" : `Sheet ${id}`;
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base.slice(0, limit - ` (${n})`.length)} (${n})`;
    taken.add(name.toLowerCase());
    const color = attr(id, "color");
    return { id, name, index, color: isColor(color) ? color : undefined };
  });
}
