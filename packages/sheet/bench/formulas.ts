/**
 * Formula recalculation figures, in plain code that runs in Node and (bundled) in a browser:
 * - full recalculation: a sheet with 100,000 formulas, every value forgotten, then all computed;
 * - one edit: a cell that 1,000 formulas read is changed, then every dependent is read again
 *   (what a grid or the server does after an edit arrives);
 * - the same across tabs: the cell on one tab, its 1,000 dependents spread over three tabs.
 * Each figure is measured `runs` times on the same sheet after one warm-up run (so the figures are
 * those of a warm JIT, as in a page that has been open a while); the caller takes medians.
 */
import * as Y from "yjs";
import { FormulaEngine } from "../src/formula.js";
import { FIRST_TAB, initSheet } from "../src/schema.js";
import { Sheet, type CellWrite } from "../src/sheet.js";
import { Workbook } from "../src/tabs.js";

export interface FormulaFigures {
  formulas: number;
  fullRecalcMs: number[];
  dependents: number;
  oneEditMs: number[];
  acrossTabsMs: number[];
}

function sheetWith(rows: number, writes: CellWrite[]): Sheet {
  const doc = new Y.Doc();
  initSheet(doc, { rows, cols: 4 });
  const sheet = Sheet.of(doc);
  sheet.setCells(writes);
  return sheet;
}

function check(actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`wrong value: ${String(actual)}, expected ${String(expected)}`);
}

/** 50,000 rows: A a number, B `=A{r}*2`, C `=B{r}+A{r}`: 100,000 formulas. */
function fullRecalc(runs: number): number[] {
  const rows = 50_000;
  const writes: CellWrite[] = [];
  for (let r = 0; r < rows; r++) {
    writes.push({ row: r, col: 0, input: String(r) });
    writes.push({ row: r, col: 1, input: `=A${r + 1}*2` });
    writes.push({ row: r, col: 2, input: `=B${r + 1}+A${r + 1}` });
  }
  const engine = FormulaEngine.of(sheetWith(rows, writes));
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    engine.forgetAll();
    const started = performance.now();
    for (let r = 0; r < rows; r++) {
      engine.valueAt(r, 1);
      engine.valueAt(r, 2);
    }
    times.push(performance.now() - started);
    check(engine.valueAt(rows - 1, 2), (rows - 1) * 3);
  }
  return times.slice(1);
}

/** A1 read by 1,000 formulas `=$A$1*r+B{r}`: change A1, then read all 1,000 again. */
function oneEdit(runs: number): number[] {
  const dependents = 1000;
  const writes: CellWrite[] = [{ row: 0, col: 0, input: "1" }];
  for (let r = 1; r <= dependents; r++) {
    writes.push({ row: r, col: 1, input: String(r) });
    writes.push({ row: r, col: 2, input: `=$A$1*${r}+B${r + 1}` });
  }
  const sheet = sheetWith(dependents + 1, writes);
  const engine = FormulaEngine.of(sheet);
  for (let r = 1; r <= dependents; r++) engine.valueAt(r, 2);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    sheet.setCells([{ row: 0, col: 0, input: String(i + 2) }]);
    for (let r = 1; r <= dependents; r++) engine.valueAt(r, 2);
    times.push(performance.now() - started);
    check(engine.valueAt(dependents, 2), dependents * (i + 3));
  }
  return times.slice(1);
}

/**
 * Inputs!A1 read by 1,000 formulas on three tabs (`=Inputs!$A$1*r+B{r}`, a third on each), one of
 * them Inputs itself: change Inputs!A1, then read all 1,000 again.
 */
function acrossTabs(runs: number): number[] {
  const dependents = 999;
  const per = dependents / 3;
  const doc = new Y.Doc();
  initSheet(doc, { rows: per + 1, cols: 4 });
  const book = Workbook.of(doc);
  book.rename(FIRST_TAB, "Inputs");
  const tabs = [Sheet.of(doc), book.sheet(book.add({ name: "Costs", rows: per + 1, cols: 4 })), book.sheet(book.add({ name: "Plan", rows: per + 1, cols: 4 }))];
  tabs[0]!.setCells([{ row: 0, col: 0, input: "1" }]);
  for (const sheet of tabs) {
    const writes: CellWrite[] = [];
    for (let r = 1; r <= per; r++) {
      writes.push({ row: r, col: 1, input: String(r) });
      writes.push({ row: r, col: 2, input: `=Inputs!$A$1*${r}+B${r + 1}` });
    }
    sheet.setCells(writes);
  }
  const engines = tabs.map((sheet) => FormulaEngine.of(sheet));
  const readAll = () => {
    for (const engine of engines) for (let r = 1; r <= per; r++) engine.valueAt(r, 2);
  };
  readAll();
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    tabs[0]!.setCells([{ row: 0, col: 0, input: String(i + 2) }]);
    readAll();
    times.push(performance.now() - started);
    check(engines[2]!.valueAt(per, 2), per * (i + 3));
  }
  return times.slice(1);
}

/** Every figure's runs, in milliseconds. */
export function runFormulaBench(runs: number): FormulaFigures {
  return { formulas: 100_000, fullRecalcMs: fullRecalc(runs), dependents: 1000, oneEditMs: oneEdit(runs), acrossTabsMs: acrossTabs(runs) };
}
