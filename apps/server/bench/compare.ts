/**
 * Cosheet against Hocuspocus and y-websocket on the same scenarios and the same documents (the
 * Cosheet sheet schema), in one run: each repetition runs every scenario on each system in turn,
 * in a rotating order, so drift in the machine's load falls on all alike. Each figure is the
 * median of the repetitions; a ratio is Cosheet's figure over the best other system's.
 */
import * as Y from "yjs";
import { Sheet } from "@cosheet/sheet";
import { median } from "@cosheet/sheet/bench";
import { cpuSeconds, rssBytes } from "./proc.js";
import { SLOW_LINK, shapedLink } from "./link.js";
import { cosheet, cosheetUncompressed, dataDir, importedSheet, RELAYS, removeDataDir, type Relay, type RelayClient, type RelayServer } from "./relays.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waited after a scenario's last edit before its CPU time is read: past Hocuspocus' store
 * debounce (2 s), so that its deferred write of the document is counted as Cosheet's and
 * y-websocket's writes are.
 */
const STORE_DEBOUNCE_MS = 2_500;

/** The shape of a new Cosheet sheet, which every document here starts from. */
const ROWS = 1000;
const COLS = 26;

/** Runs `fn` against a server on `dir`, or on a directory of its own, removed after. */
async function withServer<T>(relay: Relay, fn: (server: RelayServer) => Promise<T>, dir?: string): Promise<T> {
  const at = dir ?? dataDir();
  const server = await relay.start(at);
  try {
    return await fn(server);
  } finally {
    await server.stop();
    if (!dir) removeDataDir(at);
  }
}

/** Polls until `check` holds, or throws after `ms`. */
async function until(check: () => boolean, ms = 30_000, what = "a condition"): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Resolves once the client says it is synced and its document holds what the stored one does: at
 * least `rows` rows and, if given, exactly `cells` cells. y-websocket's provider says synced
 * before its server has read the document from LevelDB; the rest arrives after.
 */
async function synced(client: RelayClient, rows = ROWS, cells?: number): Promise<RelayClient> {
  await client.synced;
  const sheet = Sheet.of(client.doc);
  const holds = () => sheet.rowCount >= rows && (cells === undefined || sheet.types.cells.size === cells);
  if (holds()) return client;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`synced with ${sheet.rowCount} rows and ${sheet.types.cells.size} cells`)), 60_000);
    const check = () => {
      if (!holds()) return;
      clearTimeout(timer);
      client.doc.off("update", check);
      resolve();
    };
    client.doc.on("update", check);
  });
  return client;
}

/**
 * A document stored on the server holding `state` (by default a new Cosheet sheet's rows and
 * columns): Cosheet makes a sheet; for the others a client sends the state and a second client
 * waits until it reads it back, so it has reached the server.
 */
async function storedDoc(relay: Relay, server: RelayServer, state?: Uint8Array, cells = 0): Promise<string> {
  const name = await relay.newDoc(server);
  if (relay === cosheet && !state) return name;
  const writer = await synced(relay.client(server, name), 0);
  if (state) Y.applyUpdate(writer.doc, state);
  else Sheet.of(writer.doc).setCells([{ row: ROWS - 1, col: COLS - 1, input: "" }]);
  const reader = await synced(relay.client(server, name), ROWS, cells);
  writer.close();
  reader.close();
  return name;
}

/** The numbers of the fan-out edits an update carries (their inputs read `edit-<n>.`). */
function editsIn(update: Uint8Array): number[] {
  return [...Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString("latin1").matchAll(/edit-(\d+)\./g)].map((m) => Number(m[1]));
}

/**
 * Fan-out: one client edits a cell every 25 ms; `clients - 1` listeners note when each edit
 * arrives (several may arrive in one broadcast). Latency from the edit to each arrival, and the
 * server's CPU per edit.
 */
async function fanout(relay: Relay, clients: number, edits: number) {
  return withServer(relay, async (server) => {
    const name = await storedDoc(relay, server);
    const writer = await synced(relay.client(server, name));
    const sheet = Sheet.of(writer.doc);
    const arrivals: Map<number, number>[] = [];
    const leave: (() => void)[] = [];
    for (let i = 0; i < clients - 1; i++) {
      const times = new Map<number, number>();
      arrivals.push(times);
      leave.push(await relay.listener(server, name, (update) => {
        const now = performance.now();
        for (const k of editsIn(update)) if (!times.has(k)) times.set(k, now);
      }));
    }
    await sleep(300);
    const cpuBefore = cpuSeconds(server.pid);
    const sent: number[] = [];
    for (let i = 0; i < edits; i++) {
      sent.push(performance.now());
      sheet.setCells([{ row: i % 500, col: 0, input: `edit-${i}.` }]);
      await sleep(25);
    }
    await until(() => arrivals.every((t) => t.size === edits), 10_000, `${relay.name} to deliver every edit`);
    await sleep(STORE_DEBOUNCE_MS);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    writer.close();
    for (const l of leave) l();
    const latencies = arrivals.flatMap((times) => [...times].map(([k, t]) => t - sent[k]!)).sort((a, b) => a - b);
    return { p99Ms: latencies[Math.floor(latencies.length * 0.99)]!, cpuMsPerEdit: (cpu * 1000) / edits };
  });
}

/**
 * Throughput: `writers` senders, each making single-cell edits in a document of its own at `rate`
 * a second for `seconds` and sending each as it is made; `writers` listeners count the edits
 * that reach them (several may arrive in one broadcast).
 */
async function throughput(relay: Relay, writers: number, rate: number, seconds: number) {
  return withServer(relay, async (server) => {
    const name = await storedDoc(relay, server);
    const reader = await synced(relay.client(server, name));
    const state = Y.encodeStateAsUpdate(reader.doc);
    reader.close();
    const senders = await Promise.all(Array.from({ length: writers }, async () => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      return { doc, sheet: Sheet.of(doc), socket: await relay.sender(server, name) };
    }));
    let delivered = 0;
    const leave = await Promise.all(Array.from({ length: writers }, () => relay.listener(server, name, (u) => (delivered += editsIn(u).length))));
    await sleep(300);
    const cpuBefore = cpuSeconds(server.pid);
    const started = performance.now();
    let n = 0;
    const timers = senders.map((s, w) => {
      s.doc.on("update", (update: Uint8Array) => s.socket.send(update));
      return setInterval(() => s.sheet.setCells([{ row: w, col: n % COLS, input: `edit-${n++}.` }]), 1000 / rate);
    });
    await sleep(seconds * 1000);
    for (const t of timers) clearInterval(t);
    await until(() => delivered >= n * leave.length, 20_000, `${relay.name} to deliver every edit`);
    const elapsed = (performance.now() - started) / 1000;
    await sleep(STORE_DEBOUNCE_MS);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    for (const s of senders) s.socket.close();
    for (const l of leave) l();
    return { deliveredPerSecond: delivered / elapsed, cpuMsPer1kDeliveries: (cpu * 1e6) / delivered };
  });
}

/** `clients` full clients over `docs` stored documents, connecting 50 at a time: until all are synced. */
async function connectMany(relay: Relay, clients: number, docs: number) {
  return withServer(relay, async (server) => {
    const names: string[] = [];
    for (let i = 0; i < docs; i++) names.push(await storedDoc(relay, server));
    const cpuBefore = cpuSeconds(server.pid);
    const started = performance.now();
    const open: RelayClient[] = [];
    for (let i = 0; i < clients; i += 50) {
      const batch = Array.from({ length: Math.min(50, clients - i) }, (_, k) => relay.client(server, names[(i + k) % docs]!));
      await Promise.all(batch.map((c) => synced(c)));
      open.push(...batch);
    }
    const ms = performance.now() - started;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    for (const c of open) c.close();
    return { connectMs: ms, connectCpuMs: cpu * 1000 };
  });
}

/** Memory: server RSS growth per open document, one client each writing three cells. */
async function rssPerDoc(relay: Relay, docs: number) {
  return withServer(relay, async (server) => {
    const names: string[] = [];
    for (let i = 0; i < docs + 1; i++) names.push(await storedDoc(relay, server));
    const warm = await synced(relay.client(server, names.pop()!));
    await sleep(3000); // past Hocuspocus' store debounce: every system at rest
    const before = rssBytes(server.pid);
    const open: RelayClient[] = [];
    for (const name of names) {
      const c = await synced(relay.client(server, name));
      Sheet.of(c.doc).setCellsA1({ A1: "x", B2: "y", C3: "z" });
      open.push(c);
    }
    await sleep(3000);
    const after = rssBytes(server.pid);
    for (const c of [...open, warm]) c.close();
    return { rssKBPerDoc: (after - before) / 1024 / docs };
  });
}

/**
 * Opening a large document: the server started on a directory holding it (not in memory), one
 * client joins (cold), then, while that one holds it open, a second (warm). Join to synced, and
 * the bytes the cold client read. Then the server is started again for a cold open over a slow
 * link ({@link SLOW_LINK}).
 */
async function open(relay: Relay, dir: string, name: string, cells: number): Promise<Figures> {
  const timed = async (server: RelayServer) => {
    const started = performance.now();
    const c = await synced(relay.client(server, name), ROWS, cells);
    return { c, ms: performance.now() - started, bytes: c.bytesRead() };
  };
  const lan = await withServer(
    relay,
    async (server) => {
      const cold = await timed(server);
      const warm = await timed(server);
      cold.c.close();
      warm.c.close();
      return { coldOpenMs: cold.ms, coldOpenKB: cold.bytes / 1024, warmOpenMs: warm.ms };
    },
    dir,
  );
  const slowOpenMs = await withServer(
    relay,
    async (server) => {
      const link = await shapedLink(server.url, SLOW_LINK);
      try {
        const cold = await timed({ ...server, url: link.url });
        cold.c.close();
        return cold.ms;
      } finally {
        await link.close();
      }
    },
    dir,
  );
  return { ...lan, slowOpenMs };
}

/**
 * The large document of {@link open} stored by each system: a rows x cols CSV import into a
 * Cosheet sheet, whose state the others are given. Where each stores it, its name there.
 */
async function storedLarge(rows: number, cols: number): Promise<Map<Relay, { dir: string; name: string }>> {
  const out = new Map<Relay, { dir: string; name: string }>();
  const dir = dataDir();
  let state: Uint8Array = new Uint8Array();
  const name = await withServer(cosheet, async (server) => {
    const id = await importedSheet(server.url, rows, cols);
    const c = await synced(cosheet.client(server, id));
    state = Y.encodeStateAsUpdate(c.doc);
    c.close();
    return id;
  }, dir);
  out.set(cosheet, { dir, name });
  for (const relay of RELAYS.filter((r) => r !== cosheet)) {
    const dir = dataDir();
    out.set(relay, { dir, name: await withServer(relay, (server) => storedDoc(relay, server, state, rows * cols), dir) });
  }
  return out;
}

/** What one figure means: its label and whether more is better. */
export interface Figure {
  key: string;
  label: string;
  unit: string;
  higherIsBetter?: boolean;
  /** Cosheet's alone (measured on it in another way), with no ratio to the others. */
  own?: boolean;
}

export const FIGURES: Figure[] = [
  { key: "cpuMsPerEdit2", label: "server CPU per edit, 2 clients", unit: "ms" },
  { key: "cpuMsPerEdit200", label: "server CPU per edit, 200 clients", unit: "ms" },
  { key: "fanoutP99Ms", label: "fan-out p99, 200 clients in one sheet", unit: "ms" },
  { key: "deliveredPerSecond", label: "delivered edits/s, 20 writers", unit: "/s", higherIsBetter: true },
  { key: "cpuMsPer1kDeliveries", label: "server CPU per 1k deliveries, 20 writers", unit: "ms" },
  { key: "connectMs", label: "connect 1,000 clients over 500 sheets", unit: "ms" },
  { key: "connectCpuMs", label: "server CPU to connect them", unit: "ms" },
  { key: "rssKBPerDoc", label: "RSS per open sheet", unit: "KB" },
  { key: "coldOpenMs", label: "cold open of a 100k-cell sheet", unit: "ms" },
  { key: "coldOpenKB", label: "bytes read for that open", unit: "KB" },
  { key: "warmOpenMs", label: "warm open (sheet in memory)", unit: "ms" },
  { key: "slowOpenMs", label: `cold open over a ${SLOW_LINK.megabitsPerSecond} Mbit/s link, ${SLOW_LINK.roundTripMs} ms round trip`, unit: "ms" },
  { key: "plainColdOpenMs", label: "Cosheet's cold open, its parts uncompressed", unit: "ms", own: true },
  { key: "plainColdOpenKB", label: "bytes read for that open", unit: "KB", own: true },
  { key: "plainSlowOpenMs", label: "Cosheet's cold open over the slow link, its parts uncompressed", unit: "ms", own: true },
];

export type Figures = Record<string, number>;

/** The scenarios, by the names `BENCH_PEERS` takes. */
export const PEER_SCENARIOS = ["fanout2", "fanout200", "writers", "connect", "memory", "open"] as const;
export type PeerScenario = (typeof PEER_SCENARIOS)[number];

/**
 * Runs every scenario `runs` times on each system, interleaved, and returns each system's medians.
 */
export async function compareRelays(runs: number, log: (line: string) => void, only: readonly PeerScenario[] = PEER_SCENARIOS): Promise<Map<Relay, Figures>> {
  const [rows, cols] = [1000, 100];
  const stored = only.includes("open") ? await storedLarge(rows, cols) : null;
  const samples = new Map<Relay, Figures[]>(RELAYS.map((r) => [r, []]));
  for (let run = 0; run < runs; run++) {
    const order = RELAYS.map((_, i) => RELAYS[(i + run) % RELAYS.length]!);
    const figures = new Map<Relay, Figures>(RELAYS.map((r) => [r, {}]));
    const scenarios: [PeerScenario, (relay: Relay) => Promise<Figures>][] = [
      ["fanout2", async (r) => ({ cpuMsPerEdit2: (await fanout(r, 2, 200)).cpuMsPerEdit })],
      ["fanout200", async (r) => {
        const f = await fanout(r, 200, 200);
        return { cpuMsPerEdit200: f.cpuMsPerEdit, fanoutP99Ms: f.p99Ms };
      }],
      ["writers", (r) => throughput(r, 20, 90, 5)],
      ["connect", (r) => connectMany(r, 1000, 500)],
      ["memory", (r) => rssPerDoc(r, 200)],
      ["open", async (r) => {
        const { dir, name } = stored!.get(r)!;
        const figures = await open(r, dir, name, rows * cols);
        if (r !== cosheet) return figures;
        const plain = await open(cosheetUncompressed, dir, name, rows * cols);
        return { ...figures, plainColdOpenMs: plain.coldOpenMs!, plainColdOpenKB: plain.coldOpenKB!, plainSlowOpenMs: plain.slowOpenMs! };
      }],
    ];
    for (const [what, scenario] of scenarios.filter(([name]) => only.includes(name))) {
      for (const relay of order) {
        const f = await scenario(relay);
        Object.assign(figures.get(relay)!, f);
        log(`run ${run + 1}, ${what}, ${relay.name}: ${Object.entries(f).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}`);
      }
    }
    for (const relay of RELAYS) samples.get(relay)!.push(figures.get(relay)!);
  }
  for (const { dir } of stored?.values() ?? []) removeDataDir(dir);
  return new Map(RELAYS.map((relay) => {
    const runsOf = samples.get(relay)!;
    const measured = FIGURES.filter((f) => runsOf[0]![f.key] !== undefined);
    return [relay, Object.fromEntries(measured.map((f) => [f.key, median(runsOf.map((r) => r[f.key]!))]))];
  }));
}

/** Cosheet's figure over the best other system's, and which that is. */
export function ratio(figure: Figure, results: Map<Relay, Figures>): { ratio: number; best: Relay } {
  const others = RELAYS.filter((r) => r !== cosheet);
  const value = (r: Relay) => results.get(r)![figure.key]!;
  const best = others.reduce((a, b) => (figure.higherIsBetter ? (value(b) > value(a) ? b : a) : value(b) < value(a) ? b : a));
  return { ratio: value(cosheet) / value(best), best };
}
