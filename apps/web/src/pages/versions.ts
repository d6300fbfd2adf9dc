import * as Y from "yjs";
import { Sheet } from "@cosheet/sheet";
import type { Version } from "@cosheet/protocol";

/** A past version being looked at: its own read-only copy of the sheet, never synced. */
export interface Preview {
  version: Version;
  sheet: Sheet;
}

/** The sheet a version's state (one Yjs update) holds, in a document of its own. */
export function versionSheet(state: Uint8Array): Sheet {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return Sheet.of(doc);
}

/**
 * The keys (`rowId:colId`) of the cells whose input differs between two copies of a sheet. By
 * ids, not positions: a row inserted since moves cells without changing them.
 */
export function changedCells(a: Sheet, b: Sheet): Set<string> {
  const keys = new Set<string>();
  for (const key of a.types.cells.keys()) if (a.inputOf(key) !== b.inputOf(key)) keys.add(key);
  for (const key of b.types.cells.keys()) if (!a.types.cells.has(key)) keys.add(key);
  return keys;
}

/** A time from the server (ISO 8601 or ms since the epoch), in this browser's time zone. */
export const localTime = (at: string | number) => new Date(at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

/** Who made a change: the API and the server have no name. */
export const authorName = (author: string) => author || "API";

/** How a version is named in sentences: "the version “First draft” of …" or "the version of …". */
export function versionLabel(version: Version): string {
  return version.name ? `the version “${version.name}” of ${localTime(version.at)}` : `the version of ${localTime(version.at)}`;
}

/** A version's count of changed cells, or nothing when there are none to tell (a named one). */
export function changedCount(n: number): string {
  return n === 0 ? "" : `${n.toLocaleString()} ${n === 1 ? "cell" : "cells"} changed`;
}
