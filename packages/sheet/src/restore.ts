import type * as Y from "yjs";
import { rootRule } from "./content.js";
import { DISCUSSION_TYPES } from "./schema.js";

/**
 * Makes `doc`'s workbook what `then`'s was, as one forward edit in one transaction, every tab of
 * it: tabs deleted, renamed or moved since come back as they were, and tabs added since go; rows
 * and columns deleted since come back with their ids (so every cell, style and comment keyed by
 * them comes back too), rows and columns added since go, and every cell, style, width and setting
 * that differs is written again. The chat and the comments are left as they are: what was said
 * stays said.
 *
 * Being an ordinary edit, it merges with whatever anyone does at the same time or did offline,
 * and it can itself be undone by restoring the state before it.
 */
export function restoreSheet(doc: Y.Doc, then: Y.Doc, origin?: unknown): void {
  const names = new Set([...doc.share.keys(), ...then.share.keys()]);
  doc.transact(() => {
    for (const name of names) {
      const rule = rootRule(name);
      if (!rule || (DISCUSSION_TYPES as readonly string[]).includes(name)) continue;
      // Every restored type holds plain values, whatever its element type.
      if (rule.kind === "array") restoreList(doc.getArray(name), then.getArray(name).toArray());
      else restoreMap(doc.getMap(name), then.getMap(name));
    }
  }, origin);
}

function restoreMap(target: Y.Map<unknown>, source: Y.Map<unknown>): void {
  // Values are plain (strings, numbers, booleans): compared as they are.
  for (const key of [...target.keys()]) if (!source.has(key)) target.delete(key);
  for (const [key, value] of source.entries()) if (target.get(key) !== value) target.set(key, value);
}

/**
 * Turns a list of ids into `wanted`. When the ids both hold are in the same order, only what
 * differs is deleted and inserted, so the ids that stay keep their place (and concurrent edits
 * anchored to them theirs); otherwise (rows were reordered since) the list is written anew.
 */
function restoreList(target: Y.Array<unknown>, wanted: readonly unknown[]): void {
  const current = target.toArray();
  const wantedSet = new Set(wanted);
  const currentSet = new Set(current);
  const keptNow = current.filter((id) => wantedSet.has(id));
  const keptThen = wanted.filter((id) => currentSet.has(id));
  if (keptNow.length !== keptThen.length || keptNow.some((id, i) => id !== keptThen[i])) {
    target.delete(0, target.length);
    target.insert(0, [...wanted]);
    return;
  }
  // Runs of ids to drop, from the end, so the indexes still to visit do not move.
  for (let i = current.length - 1; i >= 0; ) {
    if (wantedSet.has(current[i]!)) {
      i--;
      continue;
    }
    let start = i;
    while (start > 0 && !wantedSet.has(current[start - 1]!)) start--;
    target.delete(start, i - start + 1);
    i = start - 1;
  }
  // Now the list is `keptThen`: insert each missing run before the kept id that follows it.
  let at = 0;
  for (let i = 0; i < wanted.length; ) {
    if (currentSet.has(wanted[i]!)) {
      at++;
      i++;
      continue;
    }
    const run: unknown[] = [];
    while (i < wanted.length && !currentSet.has(wanted[i]!)) run.push(wanted[i++]!);
    target.insert(at, run);
    at += run.length;
  }
}
