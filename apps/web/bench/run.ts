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
import { asOwner, createSheet, launchBrowser, ownerSecret, startServer } from "../e2e/harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** `BENCH_ONLY=scroll,formulas` runs some of the figures: open, workbook, scroll, formulas. */
const ONLY = new Set((process.env.BENCH_ONLY ?? "open,workbook,scroll,formulas").split(","));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");


/** Imports rows into a sheet's first tab, or into a new tab named `newTab`. */
async function importCsv(url: string, id: string, rows: string[][], newTab?: string): Promise<void> {
  const query = newTab ? `?newTab=${encodeURIComponent(newTab)}` : "";
  const res = await fetch(`${url}/api/sheets/${id}/import${query}`, { method: "POST", headers: { "content-type": "text/csv", ...asOwner(id) }, body: toCsv(rows) });
  if (!res.ok) throw new Error(`import failed: ${await res.text()}`);
}

/**
 * Scrolls the grid by 50 rows a frame (a fast flick) for 300 frames and returns the time between
 * frames. A string, not a function: code compiled by tsx carries helpers the page does not have.
 */
const SCROLL_SCRIPT = `new Promise((done) => {
  const grid = document.querySelector("[role=grid]");
  const deltas = [];
  let last = 0;
  let n = 0;
  const step = (t) => {
    if (last) deltas.push(t - last);
    last = t;
    grid.scrollTop += 1200;
    if (++n < 300) requestAnimationFrame(step);
    else done(deltas);
  };
  requestAnimationFrame(step);
})`;

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
    const frames = await page.evaluate<number[]>(SCROLL_SCRIPT);
    p50s.push(percentile(frames, 50));
    p95s.push(percentile(frames, 95));
    await context.close();
  }
  results.scrollFrameMs = { p50: median(p50s), p95: median(p95s) };
  table.push(["scroll frame time p50, 100k rows", `${round(median(p50s))} ms`, ""]);
  table.push(["scroll frame time p95, 100k rows", `${round(median(p95s))} ms`, "<= 16.7 ms"]);
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
  const context = await browser.newContext();
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
  for (const [name, run] of [["open", open], ["workbook", workbook], ["scroll", scroll], ["formulas", formulas]] as const) {
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
