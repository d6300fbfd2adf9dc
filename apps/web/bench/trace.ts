/**
 * Chromium's performance trace (the one DevTools records), summarised for the benchmarks: where
 * each page's main thread spent its time (script, style, layout, paint...), and its longest tasks.
 */
import type { Browser, Page } from "playwright-core";

interface TraceEvent {
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  ph: string;
  name: string;
  args?: { name?: string; data?: { message?: string } };
}

/** What the main thread's trace events are spent on, by their name. */
const KINDS: Record<string, string> = {
  FunctionCall: "script",
  EvaluateScript: "script",
  "v8.compile": "script",
  "v8.compileModule": "script",
  "v8.evaluateModule": "script",
  "v8.run": "script",
  "v8.callFunction": "script",
  RunMicrotasks: "script",
  TimerFire: "script",
  FireAnimationFrame: "script",
  EventDispatch: "script",
  FireIdleCallback: "script",
  XHRReadyStateChange: "script",
  UpdateLayoutTree: "style",
  RecalculateStyles: "style",
  ParseAuthorStyleSheet: "style",
  Layout: "layout",
  UpdateLayerTree: "layout",
  PrePaint: "prepaint",
  Paint: "paint",
  PaintImage: "paint",
  Layerize: "layerize",
  Commit: "commit",
  MinorGC: "gc",
  MajorGC: "gc",
  "V8.GC_SCAVENGER": "gc",
  "V8.GC_MARK_COMPACTOR": "gc",
  "BlinkGC.AtomicPhase": "gc",
  ParseHTML: "html",
};

const kindOf = (name: string) => KINDS[name] ?? "other";

/** One task on a main thread: when it started (ms after the first mark), how long, and its parts. */
interface Task {
  at: number;
  ms: number;
  parts: Map<string, number>;
}

/**
 * Records a trace of the browser while `work` runs, and prints each page's main-thread time by
 * kind and its longest tasks. Each page is told apart by a mark it writes into the trace.
 */
export async function traced<T>(browser: Browser, pages: Record<string, Page>, label: string, work: () => Promise<T>): Promise<T> {
  await browser.startTracing(undefined, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "disabled-by-default-v8.gc"] });
  for (const [name, page] of Object.entries(pages)) await page.evaluate(`console.timeStamp(${JSON.stringify(`bench:${name}`)})`);
  const result = await work();
  const events = (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  console.log(`\ntrace: ${label}`);
  for (const [name, tasks] of mainThreadTasks(events)) {
    const totals = new Map<string, number>();
    for (const task of tasks) for (const [kind, ms] of task.parts) totals.set(kind, (totals.get(kind) ?? 0) + ms);
    const busy = tasks.reduce((sum, t) => sum + t.ms, 0);
    const parts = [...totals].sort((a, b) => b[1] - a[1]).map(([kind, ms]) => `${kind} ${ms.toFixed(1)}`);
    console.log(`  ${name}: ${busy.toFixed(1)} ms in ${tasks.length} tasks: ${parts.join(", ")}`);
    for (const task of [...tasks].sort((a, b) => b.ms - a.ms).slice(0, 8).sort((a, b) => a.at - b.at)) {
      const top = [...task.parts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([kind, ms]) => `${kind} ${ms.toFixed(1)}`);
      console.log(`    at ${task.at.toFixed(1).padStart(7)} ms  ${task.ms.toFixed(1).padStart(6)} ms  ${top.join(", ")}`);
    }
  }
  return result;
}

/** The tasks of each marked page's main thread, with each task's time split by kind (self times). */
function mainThreadTasks(events: TraceEvent[]): Map<string, Task[]> {
  const marks = events.filter((e) => e.name === "TimeStamp" && e.args?.data?.message?.startsWith("bench:"));
  const start = Math.min(...marks.map((e) => e.ts));
  const out = new Map<string, Task[]>();
  for (const mark of marks) {
    const name = mark.args!.data!.message!.slice("bench:".length);
    const spans = events
      .filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === "X" && e.dur !== undefined && e.ts >= start)
      .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const tasks: Task[] = [];
    // Self time: each span's duration less its children's, charged to its kind.
    const stack: { end: number; kind: string; task: Task }[] = [];
    for (const e of spans) {
      while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
      const parent = stack[stack.length - 1];
      const kind = kindOf(e.name);
      const ms = e.dur! / 1000;
      let task = parent?.task;
      if (!task) {
        task = { at: (e.ts - start) / 1000, ms, parts: new Map() };
        tasks.push(task);
      } else task.parts.set(parent!.kind, (task.parts.get(parent!.kind) ?? 0) - ms);
      // A span of no kind of its own (a task, a scheduler step) inside a known one stays that kind.
      const charged = kind === "other" && parent ? parent.kind : kind;
      task.parts.set(charged, (task.parts.get(charged) ?? 0) + ms);
      stack.push({ end: e.ts + e.dur!, kind: charged, task });
    }
    out.set(name, tasks);
  }
  return out;
}
