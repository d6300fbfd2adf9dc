import * as Y from "yjs";
import { initSheet, type InitOptions } from "./schema.js";
import { Sheet } from "./sheet.js";

/**
 * Replicas of one sheet for tests: the first is initialised (as the server does on creation),
 * the others start from its state, as clients do after their first sync.
 */
export function replicas(count: number, options: InitOptions = { rows: 10, cols: 5 }): Sheet[] {
  const origin = new Y.Doc();
  initSheet(origin, options);
  const state = Y.encodeStateAsUpdate(origin);
  return Array.from({ length: count }, (_, i) => {
    if (i === 0) return Sheet.of(origin);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    return Sheet.of(doc);
  });
}

/** Exchanges full state between all replicas. */
export function syncAll(sheets: readonly Sheet[]): void {
  for (const a of sheets) {
    for (const b of sheets) {
      if (a !== b) Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
    }
  }
}
