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
/** `BENCH_ONLY=scroll,formulas` runs some of the figures: open, scroll, formulas. */
const ONLY = new Set((process.env.BENCH_ONLY ?? "open,scroll,formulas").split(","));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");


async function importCsv(url: string, id: string, rows: string[][]): Promise<void> {
  const res = await fetch(`${url}/api/sheets/${id}/import`, { method: "POST", headers: { "content-type": "text/csv", ...asOwner(id) }, body: toCsv(rows) });
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

const server = await startServer();
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
  for (const [name, run] of [["open", open], ["scroll", scroll], ["formulas", formulas]] as const) {
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
