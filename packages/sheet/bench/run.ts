/**
 * Formula benchmarks in Node (`pnpm bench`): prints the medians and writes
 * bench-results/formulas-node.json at the repository root. The same code runs in Chromium from
 * apps/web/bench.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runFormulaBench } from "./formulas.js";
import { median, round } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const figures = runFormulaBench(RUNS);
console.log("| figure (Node) | median | target |\n|---|---|---|");
console.log(`| full recalculation, ${figures.formulas.toLocaleString("en")} formulas | ${round(median(figures.fullRecalcMs))} ms | <= 1,000 ms |`);
console.log(`| one edit, ${figures.dependents.toLocaleString("en")} dependents read again | ${round(median(figures.oneEditMs))} ms | <= 20 ms |`);
console.log(`| one edit, 999 dependents on three tabs read again | ${round(median(figures.acrossTabsMs))} ms | <= 20 ms |`);
const out = path.join(root, "bench-results/formulas-node.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  `${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, runs: RUNS, date: new Date().toISOString(), ...figures }, null, 2)}\n`,
);
console.log("\nwrote bench-results/formulas-node.json");
