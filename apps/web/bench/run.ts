/**
 * Browser benchmarks (`pnpm bench`): headless Chromium against the built server in its own
 * process. Several runs per figure, medians reported; prints a table and writes
 * bench-results/web.json at the repository root.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { toCsv } from "@cosheet/sheet";
import { median, percentile, round, type FormulaFigures } from "@cosheet/sheet/bench";
import type { Page } from "playwright-core";
import { asOwner, createSheet, launchBrowser, ownerSecret, startServer } from "../e2e/harness.js";
import { traced } from "./trace.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** `BENCH_ONLY=scroll,formulas` runs some of the figures: open, workbook, scroll, sheet10k, million, sort, filter, formulas. */
const ONLY = new Set((process.env.BENCH_ONLY ?? "open,workbook,scroll,sheet10k,million,sort,filter,formulas").split(","));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");


/** Imports rows into a sheet's first tab, or into a new tab named `newTab`. */
async function importCsv(url: string, id: string, rows: string[][], newTab?: string): Promise<void> {
  const query = newTab ? `?newTab=${encodeURIComponent(newTab)}` : "";
  const res = await fetch(`${url}/api/sheets/${id}/import${query}`, { method: "POST", headers: { "content-type": "text/csv", ...asOwner(id) }, body: toCsv(rows) });
  if (!res.ok) throw new Error(`import failed: ${await res.text()}`);
}

/**
 * Scrolls the grid by `px` pixels a frame for 300 frames and returns the time between frames. A
 * string, not a function: code compiled by tsx carries helpers the page does not have.
 */
const scrollScript = (px: number) => `new Promise((done) => {
  const grid = document.querySelector("[role=grid]");
  const deltas = [];
  let last = 0;
  let n = 0;
  const step = (t) => {
    if (last) deltas.push(t - last);
    last = t;
    grid.scrollTop += ${px};
    if (++n < 300) requestAnimationFrame(step);
    else done(deltas);
  };
  requestAnimationFrame(step);
})`;

/** The grid cell of a 0-based row and column (its header row and column come first). */
const cellSelector = (row: number, col: number) => `[role=row][aria-rowindex="${row + 2}"] > [role=gridcell][aria-colindex="${col + 2}"]`;

/**
 * In the page: resolves with Date.now() at the first animation frame where the cell at `selector`
 * no longer shows `before` (rejects after 30 s).
 */
const changedScript = (selector: string, before: string) => `new Promise((done, fail) => {
  setTimeout(() => fail(new Error("the cell did not change: " + ${JSON.stringify(selector)})), 30000);
  const check = () => {
    const text = document.querySelector(${JSON.stringify(selector)})?.textContent?.trim() ?? "";
    if (text !== ${JSON.stringify(before)}) done(Date.now());
    else requestAnimationFrame(check);
  };
  check();
})`;

/**
 * In the page: resolves with Date.now() at the first animation frame where the element at
 * `selector` says `text` (rejects after 30 s).
 */
const saysScript = (selector: string, text: string) => `new Promise((done, fail) => {
  setTimeout(() => fail(new Error("never said " + ${JSON.stringify(text)})), 30000);
  const check = () => {
    if (document.querySelector(${JSON.stringify(selector)})?.textContent?.trim() === ${JSON.stringify(text)}) done(Date.now());
    else requestAnimationFrame(check);
  };
  check();
})`;

/**
 * Starts listening in the page for the next event of a type; the answer resolves with Date.now()
 * when it reaches the document (rejects after 30 s).
 */
async function nextEvent(page: Page, type: string): Promise<() => Promise<number>> {
  await page.evaluate(`window.__next = new Promise((done, fail) => {
    setTimeout(() => fail(new Error("no ${type} event")), 30000);
    document.addEventListener(${JSON.stringify(type)}, () => done(Date.now()), { capture: true, once: true });
  }); undefined`);
  return () => page.evaluate<number>("window.__next");
}

/**
 * With BENCH_PROFILE=1, runs `work` under Chromium's CPU profiler and prints the functions that
 * took the most time of their own (bundled names: build without minifying to read them). With
 * BENCH_TRACE=1, records Chromium's performance trace instead and prints where the main thread of
 * `page` and of each of `others` spent its time (see traced).
 */
async function profiled<T>(page: Page, label: string, work: () => Promise<T>, others: Record<string, Page> = {}): Promise<T> {
  if (process.env.BENCH_TRACE) return traced(browser, { page, ...others }, label, work);
  if (!process.env.BENCH_PROFILE) return work();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const result = await work();
  const { profile } = await cdp.send("Profiler.stop");
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples?.forEach((id, i) => {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || "(anonymous)"} ${url.split("/").pop()}:${lineNumber + 1}:${columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`\nprofile: ${label} (${Math.round(total)} ms sampled)`);
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
  await cdp.detach();
  return result;
}

/**
 * Scrolls the page's grid 300 px a frame (see scrollScript, profiled with BENCH_PROFILE) and adds
 * the frame times' percentiles to those of `into` that it has: `p50`, `p90`, `p95`.
 */
async function scrollFrames(page: Page, label: string, into: Partial<Record<"p50" | "p90" | "p95", number[]>>): Promise<void> {
  const frames = await profiled(page, label, () => page.evaluate<number[]>(scrollScript(300)));
  for (const p of [50, 90, 95] as const) into[`p${p}`]?.push(percentile(frames, p));
}

/** Each figure's median over the runs. */
function medians(figures: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, median(v)]));
}

let server = await startServer();
const browser = await launchBrowser();
const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, chromium: browser.version() },
  runs: RUNS,
  date: new Date().toISOString(),
};
const table: [string, string, string][] = [];

/** Navigation to an interactive grid, 100k cells (1,000 x 100), in a fresh browser profile. */
async function open(): Promise<void> {
  const wide = await createSheet(server.url, "100k cells");
  await importCsv(server.url, wide, Array.from({ length: 1000 }, (_, r) => Array.from({ length: 100 }, (_, c) => `r${r}c${c}`)));
  const opens: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${server.url}/s/${wide}#k=${ownerSecret(wide)}`);
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 60_000 });
    await page.locator('[role=row][aria-rowindex="2"] > [role=gridcell][aria-colindex="2"]', { hasText: "r0c0" }).waitFor();
    opens.push(performance.now() - started);
    await context.close();
  }
  results.openMs = median(opens);
  table.push(["navigation to interactive grid, 100k cells (fresh profile)", `${round(median(opens))} ms`, ""]);
}

/**
 * Cold open (a fresh browser profile) of a workbook of 10 tabs of 100,000 cells each (10,000 x
 * 10): until the first tab's cells are on screen, and until the page says everything is saved
 * (synced); with the workbook in the server's memory, and read from its checkpoint on disk by a
 * server just restarted.
 */
async function workbook(): Promise<void> {
  const id = await createSheet(server.url, "10 tabs of 100k cells");
  for (let t = 0; t < 10; t++) {
    const rows = Array.from({ length: 10_000 }, (_, r) => Array.from({ length: 10 }, (_, c) => `t${t} r${r}c${c}`));
    await importCsv(server.url, id, rows, t === 0 ? undefined : `Tab ${t + 1}`);
  }
  const open = async (into: { shown: number[]; synced: number[] }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${server.url}/s/${id}#k=${ownerSecret(id)}`);
    await page.locator('[role=row][aria-rowindex="2"] > [role=gridcell][aria-colindex="2"]', { hasText: "t0 r0c0" }).waitFor({ timeout: 120_000 });
    into.shown.push(performance.now() - started);
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 120_000 });
    into.synced.push(performance.now() - started);
    await context.close();
  };
  const restart = async (env: Record<string, string> = {}) => {
    await server.stop();
    server = await startServer({ port: server.port, dataDir: server.dataDir }, env);
  };
  const warm = { shown: [] as number[], synced: [] as number[] };
  const disk = { shown: [] as number[], synced: [] as number[] };
  for (let i = 0; i < RUNS; i++) await open(warm);
  // Unloaded when idle, the workbook is checkpointed (in parts): loading starts from there.
  await restart({ IDLE_UNLOAD_MS: "200" });
  await fetch(`${server.url}/api/sheets/${id}`, { headers: asOwner(id) });
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  for (let i = 0; i < RUNS; i++) {
    await restart();
    await open(disk);
  }
  results.workbookOpenMs = Object.fromEntries(
    Object.entries({ warm, disk }).map(([from, f]) => [from, { firstTabShown: median(f.shown), synced: median(f.synced) }]),
  );
  for (const [f, label] of [[warm, "in server memory"], [disk, "server restarted, from its checkpoint"]] as const) {
    table.push([`cold open, 10 tabs x 100k cells (${label}): first tab on screen`, `${round(median(f.shown))} ms`, "<= 1,500 ms"]);
    table.push([`cold open, 10 tabs x 100k cells (${label}): synced`, `${round(median(f.synced))} ms`, ""]);
  }
}

/** Frame times while scrolling a 100,000-row sheet (100k x 2 cells). */
async function scroll(): Promise<void> {
  const tall = await createSheet(server.url, "100k rows");
  await importCsv(server.url, tall, Array.from({ length: 100_000 }, (_, r) => [`row ${r + 1}`, String(r * 3)]));
  const p50s: number[] = [];
  const p95s: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/s/${tall}#k=${ownerSecret(tall)}`);
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 60_000 });
    const frames = await page.evaluate<number[]>(scrollScript(1200));
    p50s.push(percentile(frames, 50));
    p95s.push(percentile(frames, 95));
    await context.close();
  }
  results.scrollFrameMs = { p50: median(p50s), p95: median(p95s) };
  table.push(["scroll frame time p50, 100k rows", `${round(median(p50s))} ms`, ""]);
  table.push(["scroll frame time p95, 100k rows", `${round(median(p95s))} ms`, "<= 16.7 ms"]);
}

/**
 * A modest sheet as people have them: 10,000 rows x 10 columns imported as CSV, one column of
 * formulas (`=D2*E2`) and a SUM over them. Opening it (fresh, and again with its IndexedDB copy),
 * scrolling it 300 px a frame, and how long a row inserted at the top and an edit to one input
 * take to show on a second browser.
 */
async function sheet10k(): Promise<void> {
  const header = ["name", "a", "b", "qty", "price", "total", "c", "d", "e", "f"];
  const rows = Array.from({ length: 10_000 }, (_, i) => {
    const r = i + 2;
    return [`item ${r}`, String(r), String(r * 2), String(r % 7), String((r % 13) + 0.5), `=D${r}*E${r}`, `c${r}`, String(r * 3), `e${r}`, String(r % 100)];
  });
  const figures = { first: [] as number[], reopen: [] as number[], p50: [] as number[], p90: [] as number[], p95: [] as number[], insert: [] as number[], edit: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    // A sheet per run: each run's insert and edit change what the next would see.
    const id = await createSheet(server.url, "10k rows, formulas");
    await importCsv(server.url, id, [[...header, "=SUM(F2:F10001)"], ...rows]);
    const url = `${server.url}/s/${id}#k=${ownerSecret(id)}`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    let started = performance.now();
    await page.goto(url);
    await page.locator(cellSelector(1, 5)).filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    figures.first.push(performance.now() - started);
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 60_000 });
    // Again in the same profile: the IndexedDB copy shows first.
    await page.goto(`${server.url}/healthz`);
    await profiled(page, "reopening with the IndexedDB copy", async () => {
      started = performance.now();
      await page.goto(url);
      await page.locator(cellSelector(1, 5)).filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
      figures.reopen.push(performance.now() - started);
    });
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 60_000 });

    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const second = await other.newPage();
    await second.goto(url);
    await second.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 60_000 });
    // A row inserted at the top by the first browser, until the second shows it.
    const firstRow = (await second.locator(cellSelector(1, 0)).textContent())?.trim() ?? "";
    const shown = second.evaluate<number>(changedScript(cellSelector(1, 0), firstRow));
    await page.locator('[role=row][aria-rowindex="3"] [role=rowheader]').click({ button: "right" });
    const item = page.getByRole("menuitem", { name: "Insert row above" });
    await item.waitFor();
    const clicked = await nextEvent(page, "click");
    await profiled(second, "a row inserted at the top, on the second browser", async () => {
      await item.click();
      figures.insert.push((await shown) - (await clicked()));
    }, { first: page });
    // An edit to one input (a qty), until the SUM over the totals changes on the second browser.
    const sum = (await second.locator(cellSelector(0, 10)).textContent())?.trim() ?? "";
    const updated = second.evaluate<number>(changedScript(cellSelector(0, 10), sum));
    await page.locator(cellSelector(3, 3)).click();
    await page.keyboard.type("1000");
    const entered = await nextEvent(page, "keydown");
    await profiled(second, "an input edited, on the second browser", async () => {
      await page.keyboard.press("Enter");
      figures.edit.push((await updated) - (await entered()));
    }, { first: page });
    await other.close();

    await page.locator(cellSelector(0, 0)).click();
    await scrollFrames(page, "scrolling 10k rows with formulas", figures);
    await context.close();
  }
  results.sheet10k = medians(figures);
  table.push(["10k rows + formulas: first open, cells on screen", `${round(median(figures.first))} ms`, "<= 1,000 ms"]);
  table.push(["10k rows + formulas: reopen with the IndexedDB copy", `${round(median(figures.reopen))} ms`, "<= 400 ms"]);
  table.push(["10k rows + formulas: scroll 300 px/frame, p50 / p90 / p95", `${round(median(figures.p50))} / ${round(median(figures.p90))} / ${round(median(figures.p95))} ms`, "p95 <= 16.7 ms"]);
  table.push(["10k rows + formulas: row inserted at the top, until a second browser shows it", `${round(median(figures.insert))} ms`, "<= 100 ms"]);
  table.push(["10k rows + formulas: one input edited, until the SUM updates on a second browser", `${round(median(figures.edit))} ms`, "<= 50 ms"]);
}

/** In the page, before anything else runs: notes the duration of every long task (over 50 ms). */
const longTaskScript = `window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: "longtask", buffered: true });`;

/**
 * A million cells in one sheet: 100,000 rows x 10 columns imported as CSV, opened in a fresh
 * browser profile with the sheet in the server's memory. Until its first screen shows, until the
 * page says everything is saved (synced), the page's longest task meanwhile, and the frame times
 * scrolling it 300 px a frame once synced.
 */
async function million(): Promise<void> {
  const id = await createSheet(server.url, "100k rows x 10");
  await importCsv(server.url, id, Array.from({ length: 100_000 }, (_, r) => Array.from({ length: 10 }, (_, c) => `r${r}c${c}`)));
  const figures = {
    shown: [] as number[],
    synced: [] as number[],
    longest: [] as number[],
    over50: [] as number[],
    p50: [] as number[],
    p95: [] as number[],
    findOne: [] as number[],
    findMany: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(longTaskScript);
    const page = await context.newPage();
    // A page first, so that the profiler can start before the sheet's navigation.
    await page.goto(`${server.url}/healthz`);
    await profiled(page, "opening a million cells, until synced", async () => {
      const started = performance.now();
      await page.goto(`${server.url}/s/${id}#k=${ownerSecret(id)}`);
      await page.locator(cellSelector(0, 0), { hasText: "r0c0" }).waitFor({ timeout: 120_000 });
      figures.shown.push(performance.now() - started);
      await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 120_000 });
      figures.synced.push(performance.now() - started);
    });
    const tasks = await page.evaluate<number[]>("window.__longTasks");
    figures.longest.push(Math.max(0, ...tasks));
    figures.over50.push(tasks.length);
    await scrollFrames(page, "scrolling a million cells", figures);
    // Find (Ctrl+F) from the top: Enter until the match is shown active and counted, for one
    // match at the far end and for 100,000 matches (the whole sheet is searched either way).
    const box = page.getByRole("searchbox", { name: "Find in sheet" });
    for (const [query, said, into] of [["r99999c9", "1 of 1", figures.findOne], ["c5", "1 of 100,000", figures.findMany]] as const) {
      await page.getByRole("grid").focus();
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("Control+f");
      await box.fill(query);
      const found = page.evaluate<number>(saysScript("[role=search] [role=status]", said));
      const pressed = await nextEvent(page, "keydown");
      await profiled(page, `finding ${query} in a million cells`, async () => {
        await box.press("Enter");
        into.push((await found) - (await pressed()));
      });
      await box.press("Escape");
    }
    await context.close();
  }
  results.million = medians(figures);
  table.push(["1M cells (100k x 10): first screen", `${round(median(figures.shown))} ms`, "<= 1,000 ms"]);
  table.push(["1M cells: synced", `${round(median(figures.synced))} ms`, ""]);
  table.push(["1M cells: longest task until synced", `${round(median(figures.longest))} ms`, "<= 50 ms"]);
  table.push(["1M cells: long tasks (> 50 ms) until synced", `${round(median(figures.over50))}`, "0"]);
  table.push(["1M cells: scroll 300 px/frame, p50 / p95", `${round(median(figures.p50))} / ${round(median(figures.p95))} ms`, "p95 <= 16.7 ms"]);
  table.push(["1M cells: find, Enter until the one match far below is shown and counted", `${round(median(figures.findOne))} ms`, ""]);
  table.push(["1M cells: find, Enter until the first of 100,000 matches is shown and all counted", `${round(median(figures.findMany))} ms`, ""]);
}

/**
 * Sorting 100,000 rows (4 columns) by a column of numbers from its header menu: from the click
 * until the sorting browser shows the new first row, and until a second browser does. A sheet per
 * run, so that each sort moves every row.
 */
async function sort(): Promise<void> {
  const figures = { applied: [] as number[], second: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const id = await createSheet(server.url, "100k rows to sort");
    // Numbers in B, in an order that puts a different row first once sorted.
    const rows = Array.from({ length: 100_000 }, (_, r) => [`row ${r + 1}`, String((r * 7919 + 1 + i) % 100_003), `c${r}`, String(r)]);
    await importCsv(server.url, id, rows);
    const url = `${server.url}/s/${id}#k=${ownerSecret(id)}`;
    const pages = await Promise.all(
      [0, 1].map(async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await page.goto(url);
        await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 120_000 });
        return page;
      }),
    );
    const [page, second] = pages as [Page, Page];
    const first = (await page.locator(cellSelector(0, 0)).textContent())?.trim() ?? "";
    const applied = page.evaluate<number>(changedScript(cellSelector(0, 0), first));
    const shown = second.evaluate<number>(changedScript(cellSelector(0, 0), first));
    await page.locator('[role=columnheader][aria-colindex="3"]').click({ button: "right" });
    const item = page.getByRole("menuitem", { name: "Sort sheet by B, A → Z" });
    await item.waitFor();
    const clicked = await nextEvent(page, "click");
    await profiled(page, "sorting 100k rows", async () => {
      await item.click();
      const at = await clicked();
      figures.applied.push((await applied) - at);
      figures.second.push((await shown) - at);
    }, { second });
    for (const p of pages) await p.context().close();
  }
  results.sort = medians(figures);
  table.push(["sort 100k rows by a column: until the sorting browser shows it", `${round(median(figures.applied))} ms`, ""]);
  table.push(["sort 100k rows: until a second browser shows it", `${round(median(figures.second))} ms`, ""]);
}

/**
 * A filter on 100,000 rows: from OK in its dialog until the grid shows the rows hidden, and then,
 * with the filter on, from Enter on an edit in the filtered column until the cell shows it.
 */
async function filter(): Promise<void> {
  const figures = { applied: [] as number[], edit: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const id = await createSheet(server.url, "100k rows to filter");
    const rows = [["Name", "Score"], ...Array.from({ length: 100_000 }, (_, r) => [`row ${r + 1}`, String((r * 7919 + 1 + i) % 100_003)])];
    await importCsv(server.url, id, rows);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/s/${id}#k=${ownerSecret(id)}`);
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: 120_000 });
    await page.locator(cellSelector(0, 0)).click();
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.getByRole("button", { name: "Filter column B" }).click();
    const dialog = page.getByRole("dialog", { name: /^Filter “Score”/ });
    await dialog.getByRole("combobox", { name: "Condition" }).selectOption({ label: "Greater than" });
    await dialog.getByRole("textbox", { name: "Value" }).fill("50000");
    // Row 2's score is below 50,000: its row goes.
    const second = (await page.locator(cellSelector(1, 0)).textContent())?.trim() ?? "";
    const hidden = page.evaluate<number>(changedScript(cellSelector(1, 0), second));
    const clicked = await nextEvent(page, "click");
    await profiled(page, "filtering 100k rows", async () => {
      await dialog.getByRole("button", { name: "OK" }).click();
      const at = await clicked();
      figures.applied.push((await hidden) - at);
    });
    // The first row shown below the header: its score is typed over.
    const row = await page.evaluate<number>(`Number(document.querySelectorAll('[role=row][aria-rowindex]')[2].getAttribute("aria-rowindex")) - 2`);
    await page.locator(cellSelector(row, 1)).click();
    await page.keyboard.type("99999");
    const shown = page.evaluate<number>(saysScript(cellSelector(row, 1), "99999"));
    const entered = await nextEvent(page, "keydown");
    await profiled(page, "an edit with 100k rows filtered", async () => {
      await page.keyboard.press("Enter");
      figures.edit.push((await shown) - (await entered()));
    });
    await context.close();
  }
  results.filter = medians(figures);
  table.push(["filter 100k rows by a condition: from OK until the grid shows it", `${round(median(figures.applied))} ms`, ""]);
  table.push(["an edit in the filtered column of 100k rows: from Enter until it shows", `${round(median(figures.edit))} ms`, ""]);
}

/** Formula recalculation in the page: the sheet package's formula benchmark, bundled as is. */
async function formulas(): Promise<void> {
  const bundle = await build({
    entryPoints: [fileURLToPath(import.meta.resolve("@cosheet/sheet/bench"))],
    bundle: true,
    format: "iife",
    globalName: "formulaBench",
    platform: "browser",
    write: false,
    logLevel: "warning",
  });
  // The bundle runs as an inline script, which the server's Content-Security-Policy forbids.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/healthz`);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const figures = await page.evaluate<FormulaFigures>(`formulaBench.runFormulaBench(${RUNS})`);
  await context.close();
  results.formulas = figures;
  table.push(["full recalculation, 100,000 formulas (Chromium)", `${round(median(figures.fullRecalcMs))} ms`, "<= 1,000 ms"]);
  table.push(["one edit, 1,000 dependents read again (Chromium)", `${round(median(figures.oneEditMs))} ms`, "<= 20 ms"]);
}

try {
  for (const [name, run] of [["open", open], ["workbook", workbook], ["scroll", scroll], ["sheet10k", sheet10k], ["million", million], ["sort", sort], ["filter", filter], ["formulas", formulas]] as const) {
    if (ONLY.has(name)) await run();
  }
} finally {
  await browser.close();
  await server.stop();
}

console.log("| figure | median | target |\n|---|---|---|");
for (const [name, value, target] of table) console.log(`| ${name} | ${value} | ${target} |`);
const out = path.join(root, "bench-results/web.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log("\nwrote bench-results/web.json");
