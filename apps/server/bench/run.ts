/**
 * Server benchmarks: `pnpm bench`. The server runs in its own process (the real entry point on a
 * temporary SQLite file); the clients run in this process over real sockets. Each scenario runs
 * several times and reports the median of its runs. Prints a table and writes
 * bench-results/server.json at the repository root.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { LIMITS, XLSX_TYPE, type Ack, type SheetSocket } from "@cosheet/protocol";
import { Sheet, toCsv, type CellWrite } from "@cosheet/sheet";
import { apiCall, bearer, connectClient, createSheet, ownerSecret, type TestClient } from "../test/helpers.js";
import { compareRelays, FIGURES, PEER_SCENARIOS, ratio, type PeerScenario } from "./compare.js";
import { cosheet, importedSheet, joinSocket, RELAYS } from "./relays.js";
import { spawnServer, type ServerProcess } from "../test/process.js";
import { databaseFile } from "../src/config.js";
import { SqliteStorage } from "../src/storage/sqlite.js";
import { FUZZ_ROLES, runFuzz } from "../test/fuzz.js";
import { startPostgres, type TestPostgres } from "../test/postgres.js";
import { startFaultProxy, startRedis, type TestRedis } from "../test/redis.js";
import { cpuSeconds, peakRssBytes, rssBytes } from "./proc.js";
import { median, percentile, round } from "@cosheet/sheet/bench";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** `BENCH_ONLY=fanout,cold` runs a subset: fanout, throughput, ack, rss, cold, join, fuzz, limits, history, peers, nodes. */
const ONLY = process.env.BENCH_ONLY?.split(",");
const want = (name: string) => !ONLY || ONLY.includes(name);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

type Client = TestClient;

interface ConnectOptions {
  /** The secret to join with: the sheet's owner secret by default; null for its plain address. */
  secret?: string | null;
  /** Whether the client shares its presence, which goes to everyone in the sheet. Default true. */
  presence?: boolean;
}

function connect(url: string, sheetId: string, { secret, presence = true }: ConnectOptions = {}): Client {
  const c = connectClient(url, sheetId, { socket: { forceNew: true }, secret });
  // Before the join: the provider then shares nothing.
  if (!presence) c.provider.awareness.setLocalState(null);
  return c;
}

async function connectAll(url: string, sheetId: string, n: number, options: ConnectOptions = {}): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = Array.from({ length: Math.min(25, n - i) }, () => connect(url, sheetId, options));
    await Promise.all(batch.map((c) => c.provider.whenSynced()));
    clients.push(...batch);
  }
  return clients;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withServer<T>(
  fn: (server: ServerProcess, dataDir: string) => Promise<T>,
  dataDir?: string,
  env: Record<string, string> = {},
): Promise<T> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-bench-"));
  // Every client here shares 127.0.0.1: the per-address limit is lifted unless a scenario sets it.
  const server = await spawnServer(
    { DATA_DIR: dir, PORT: "0", ADDRESS_EVENTS_PER_SECOND: "1000000", SHEETS_PER_MINUTE_PER_ADDRESS: "100000", ...env },
    process.env.BENCH_SERVER_ARGS?.split(" ") ?? [],
  );
  try {
    return await fn(server, dir);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
}

/** Raw sockets joined to a sheet that only record when each broadcast arrives. */
async function listeners(url: string, sheetId: string, n: number) {
  const arrivals: number[][] = [];
  const sockets: SheetSocket[] = [];
  for (let i = 0; i < n; i++) {
    const times: number[] = [];
    const socket = await joinSocket(url, sheetId, (s) => s.on("sheet:update", () => times.push(performance.now())));
    arrivals.push(times);
    sockets.push(socket);
  }
  return { arrivals, close: () => sockets.forEach((s) => s.disconnect()) };
}

/** The sheet as a client has it once synced, as one update. */
async function syncedState(url: string, sheetId: string): Promise<Uint8Array> {
  const c = connect(url, sheetId);
  await c.provider.whenSynced();
  const state = Y.encodeStateAsUpdate(c.doc);
  c.close();
  return state;
}

interface Writer {
  /** Makes the writes in its own document and sends them as one update; resolves with the ms to its ack. */
  edit(writes: CellWrite[]): Promise<number>;
  close(): void;
}

/**
 * A writer on a plain socket, with a document of its own that starts from `state` and holds only
 * its own edits after it (it applies nobody else's, so many writers cost this process little).
 * With a `name` it shares its presence, which is what the server stores as the author of its edits.
 */
async function writer(url: string, sheetId: string, state: Uint8Array, name?: string): Promise<Writer> {
  const socket = await joinSocket(url, sheetId);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const sheet = Sheet.of(doc);
  let awareness: awarenessProtocol.Awareness | null = null;
  if (name !== undefined) {
    awareness = new awarenessProtocol.Awareness(doc);
    // Also sends its renewals (every 15 s): the server forgets a presence not renewed in 30 s.
    awareness.on("update", () => {
      const update = awarenessProtocol.encodeAwarenessUpdate(awareness!, [doc.clientID]);
      socket.emit("awareness:update", { sheetId, update });
    });
    awareness.setLocalState({ user: { name, color: "#3366cc" } });
  }
  return {
    async edit(writes) {
      let update: Uint8Array | null = null;
      const capture = (u: Uint8Array) => (update = u);
      doc.once("update", capture);
      sheet.setCells(writes);
      const t = performance.now();
      const ack = await new Promise<Ack<null>>((r) => socket.emit("sheet:update", { sheetId, update: update! }, r));
      if (!ack.ok) throw new Error(ack.error.message);
      return performance.now() - t;
    },
    close() {
      awareness?.destroy();
      socket.disconnect();
      doc.destroy();
    },
  };
}

/**
 * Fan-out: one writer on the first node edits a cell every 25 ms; latency from the edit to its
 * arrival at every other client, split over the nodes. Receivers are plain sockets (they do not
 * apply the update), so the figure is the servers' relay plus the network, not this process's
 * work on 200 documents. CPU is each node process's own: in all per delivery, and the busiest
 * node's per delivery it made.
 */
async function fanout(nodes: readonly ServerProcess[], clientCount: number, edits: number) {
  const id = await createSheet(nodes[0]!.url);
  const writer = connect(nodes[0]!.url, id);
  await writer.provider.whenSynced();
  const groups = [];
  for (const [i, n] of shares(clientCount - 1, nodes.length).entries()) groups.push(await listeners(nodes[i]!.url, id, n));
  await sleep(500);
  const before = nodes.map((node) => cpuSeconds(node.child.pid!));
  const sent: number[] = [];
  for (let i = 0; i < edits; i++) {
    sent.push(performance.now());
    writer.sheet.setCells([{ row: i % 500, col: 0, input: `e${i}` }]);
    await sleep(25);
  }
  await writer.provider.whenSaved();
  await sleep(500);
  const cpu = nodes.map((node, i) => cpuSeconds(node.child.pid!) - before[i]!);
  writer.close();
  for (const g of groups) g.close();
  // Edits are far apart, so each one is its own broadcast and arrives in order.
  const arrivals = groups.flatMap((g) => g.arrivals);
  const latencies = arrivals.flatMap((times) => times.map((t, k) => t - sent[k]!));
  if (process.env.BENCH_DEBUG) {
    const byOrder = arrivals.map((times) => median(times.map((t, k) => t - sent[k]!)));
    console.log("median latency by receiver (first, 25%, 50%, 75%, last):", [0, 0.25, 0.5, 0.75, 1].map((q) => round(byOrder[Math.min(byOrder.length - 1, Math.floor(q * byOrder.length))]!)));
    const perEdit = sent.map((_, k) => Math.max(...arrivals.map((t) => t[k]! - sent[k]!)));
    console.log("per-edit max latency p50/p90/p99:", [50, 90, 99].map((p) => round(percentile(perEdit, p))));
  }
  const delivered = groups.map((g) => g.arrivals.reduce((sum, times) => sum + times.length, 0));
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    delivered: latencies.length / (edits * (clientCount - 1)),
    cpuUsPerDelivery: (cpu.reduce((a, b) => a + b, 0) * 1e6) / latencies.length,
    busiestNodeCpuUsPerDelivery: Math.max(...cpu.map((c, i) => (c * 1e6) / delivered[i]!)),
  };
}

/**
 * Throughput: `writers` clients split over the nodes, editing at a fixed rate for a few seconds;
 * every client receives. The rate divides by the whole run, with the second after the writers stop
 * in which the last edits arrive.
 */
async function throughput(nodes: readonly ServerProcess[], writers: number, ratePerWriter: number, seconds: number) {
  const id = await createSheet(nodes[0]!.url);
  const clients: Client[] = [];
  for (const [i, n] of shares(writers, nodes.length).entries()) clients.push(...(await connectAll(nodes[i]!.url, id, n)));
  let delivered = 0;
  for (const c of clients) {
    c.sheet.types.cells.observe((event) => {
      if (!event.transaction.local) delivered += event.keysChanged.size;
    });
  }
  const before = nodes.map((node) => cpuSeconds(node.child.pid!));
  const started = performance.now();
  let n = 0;
  const timers = clients.map((c, w) => setInterval(() => c.sheet.setCells([{ row: w, col: n++ % 26, input: `w${w}-${n}` }]), 1000 / ratePerWriter));
  await sleep(seconds * 1000);
  for (const t of timers) clearInterval(t);
  await Promise.all(clients.map((c) => c.provider.whenSaved()));
  await sleep(1000);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = nodes.reduce((sum, node, i) => sum + cpuSeconds(node.child.pid!) - before[i]!, 0);
  for (const c of clients) c.close();
  return {
    edits: n,
    deliveredPerSecond: delivered / elapsed,
    cpuUsPerDelivery: (cpu * 1e6) / delivered,
    cpuUsPerDeliveryPerNode: (cpu * 1e6) / delivered / nodes.length,
  };
}

/** Durable-ack latency: sequential updates from one socket, each timed to its ack. */
async function durableAck(count: number, env: Record<string, string> = {}) {
  return withServer(async (server) => {
    const id = await createSheet(server.url);
    const w = await writer(server.url, id, await syncedState(server.url, id));
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      times.push(await w.edit([{ row: i % 1000, col: 1, input: `v${i}` }]));
      if (i % 90 === 89) await sleep(1000); // stay under the per-socket event rate limit
    }
    w.close();
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  }, undefined, env);
}

/** Memory: server RSS growth per open sheet (one client each, a few cells). */
async function rssPerSheet(sheets: number) {
  return withServer(async (server) => {
    const pid = server.child.pid!;
    const ids = await Promise.all(Array.from({ length: sheets }, () => createSheet(server.url)));
    const warm = connect(server.url, await createSheet(server.url));
    await warm.provider.whenSynced();
    await sleep(500);
    const before = rssBytes(pid);
    const clients: Client[] = [];
    for (const id of ids) {
      const c = connect(server.url, id);
      await c.provider.whenSynced();
      c.sheet.setCellsA1({ A1: "x", B2: "y", C3: "z" });
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.provider.whenSaved()));
    await sleep(500);
    const after = rssBytes(pid);
    for (const c of [...clients, warm]) c.close();
    return { bytesPerSheet: (after - before) / sheets };
  });
}

/** One cold open: the server started on `dataDir` (the sheet is not in memory), one client joins. */
async function coldJoin(dataDir: string, id: string, cells: number): Promise<{ ms: number; stateBytes: number }> {
  return withServer(async (server) => {
    const started = performance.now();
    const c = connect(server.url, id);
    await c.provider.whenSynced();
    const ms = performance.now() - started;
    if (c.sheet.types.cells.size !== cells) throw new Error("cold open lost cells");
    const stateBytes = Y.encodeStateAsUpdate(c.doc).byteLength;
    c.close();
    return { ms, stateBytes };
  }, dataDir);
}

/** Cold open: a 100k-cell sheet (1,000 x 100) on disk, server restarted, one client joins. */
async function coldOpen(rows: number, cols: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-bench-cold-"));
  const id = await withServer((server) => importedSheet(server.url, rows, cols), dataDir);
  const runs: { ms: number; stateBytes: number }[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await coldJoin(dataDir, id, rows * cols));
  return { ms: median(runs.map((r) => r.ms)), stateBytes: runs.at(-1)!.stateBytes };
}

/** A sheet that opens by its plain address with edit rights, as the sheets made before links did. */
async function plainSheet(url: string): Promise<string> {
  const id = await createSheet(url);
  const res = await apiCall(url, "PUT", `/api/sheets/${id}/plain-address`, { enabled: true });
  if (res.status !== 200) throw new Error(`could not open the plain address: ${res.text}`);
  return id;
}

/** How the two sheets of the join scenario open: with the owner secret, or by the plain address. */
type Opening = "secret" | "plain";
const OPENINGS: Opening[] = ["secret", "plain"];

/** Both ways in turn, each first every other time, so drift in the machine's load falls on both alike. */
function interleaved(i: number): Opening[] {
  return i % 2 === 0 ? OPENINGS : [...OPENINGS].reverse();
}

/** One client's join to synced: from the join, which its provider sends on connecting, to synced. */
async function joinToSynced(url: string, sheetId: string, secret: string | null): Promise<number> {
  const c = connect(url, sheetId, { secret });
  // Called after the provider's own listener, which sent the join.
  const joined = await new Promise<number>((r) => c.socket.once("connect", () => r(performance.now())));
  await c.provider.whenSynced();
  const ms = performance.now() - joined;
  c.close();
  return ms;
}

/**
 * Joining with a secret against joining by the plain address: (a) one client's join to synced,
 * `joins` times each way, interleaved; (b) `clients` clients reconnecting at once, from all
 * disconnected to all synced again, `reconnects` times each way, interleaved. The reconnecting
 * clients share no presence, which costs the same either way and would swamp the figure (each
 * client's goes to all the others).
 */
async function joinCost({ joins, clients, reconnects }: { joins: number; clients: number; reconnects: number }) {
  return withServer(async ({ url, child }) => {
    const secretSheet = await createSheet(url);
    const sheets: Record<Opening, { id: string; secret: string | null }> = {
      secret: { id: secretSheet, secret: ownerSecret(secretSheet)! },
      plain: { id: await plainSheet(url), secret: null },
    };
    const single: Record<Opening, number[]> = { secret: [], plain: [] };
    // The first joins load the sheets and warm both paths.
    for (let i = 0; i < 20; i++) for (const o of interleaved(i)) await joinToSynced(url, sheets[o].id, sheets[o].secret);
    for (let i = 0; i < joins; i++) {
      for (const o of interleaved(i)) single[o].push(await joinToSynced(url, sheets[o].id, sheets[o].secret));
    }

    const crowds = {} as Record<Opening, Client[]>;
    for (const o of OPENINGS) crowds[o] = await connectAll(url, sheets[o].id, clients, { secret: sheets[o].secret, presence: false });
    // Wall time, and the server's CPU time, which other work on the machine moves less.
    const crowd: Record<Opening, { ms: number[]; cpuMs: number[] }> = { secret: { ms: [], cpuMs: [] }, plain: { ms: [], cpuMs: [] } };
    for (let i = 0; i < reconnects; i++) {
      for (const o of interleaved(i)) {
        for (const c of crowds[o]) c.socket.disconnect();
        await sleep(1000); // the server has seen every one leave
        const started = performance.now();
        const cpuBefore = cpuSeconds(child.pid!);
        for (const c of crowds[o]) c.socket.connect();
        await Promise.all(crowds[o].map((c) => c.provider.whenSynced()));
        crowd[o].ms.push(performance.now() - started);
        crowd[o].cpuMs.push((cpuSeconds(child.pid!) - cpuBefore) * 1000);
        await sleep(500);
      }
    }
    for (const c of [...crowds.secret, ...crowds.plain]) c.close();

    return {
      secretP50: percentile(single.secret, 50),
      secretP90: percentile(single.secret, 90),
      plainP50: percentile(single.plain, 50),
      plainP90: percentile(single.plain, 90),
      reconnectSecretMs: median(crowd.secret.ms),
      reconnectPlainMs: median(crowd.plain.ms),
      reconnectSecretCpuMs: median(crowd.secret.cpuMs),
      reconnectPlainCpuMs: median(crowd.plain.cpuMs),
      reconnectRuns: crowd,
    };
  });
}

/**
 * The fuzzer for a while against a fresh server, as each role in turn for an equal share of the
 * time: what it sent, the server's peak RSS, the waits.
 */
async function fuzz(seconds: number) {
  return withServer(async (server) => {
    const totals = { sent: 0, socketMessages: 0, httpRequests: 0, worstHealthMs: 0, worstHonestMs: 0 };
    for (const role of FUZZ_ROLES) {
      const r = await runFuzz({ url: server.url, seed: 20261201, role, durationMs: (seconds * 1000) / FUZZ_ROLES.length });
      if (r.violations.length > 0) throw new Error(`the fuzzer found, as ${role}: ${r.violations.join("; ")}`);
      totals.sent += r.sent;
      totals.socketMessages += r.socketMessages;
      totals.httpRequests += r.httpRequests;
      totals.worstHealthMs = Math.max(totals.worstHealthMs, r.worstHealthMs);
      totals.worstHonestMs = Math.max(totals.worstHonestMs, r.worstHonestMs);
    }
    return { ...totals, peakRssMiB: peakRssBytes(server.child.pid!) / 2 ** 20 };
  }, undefined, { ADDRESS_EVENTS_PER_SECOND: String(LIMITS.eventsPerSecondPerAddress) });
}

/** The longest event-loop delay the server saw while `fn` ran (its /metrics gauge, reset first). */
async function loopDelay(url: string, fn: () => Promise<void>): Promise<{ ms: number; loopDelayMs: number }> {
  const scrape = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/cosheet_event_loop_delay_max_seconds ([\d.]+)/.exec(text)?.[1]) * 1000;
  };
  await scrape();
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  return { ms, loopDelayMs: await scrape() };
}

async function expectStatus(res: Response, status: number): Promise<void> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${body.slice(0, 200)}`);
}

/**
 * The largest work each path allows, and refused oversize input: wall time, and the longest the
 * server's event loop was blocked meanwhile. Applying the largest allowed update is the yardstick.
 */
async function limits() {
  const ExcelJS = (await import("exceljs")).default;
  return withServer(async (server) => {
    const { url } = server;
    const out: Record<string, { ms: number; loopDelayMs: number }> = {};
    const id = await createSheet(url);
    const auth = bearer(ownerSecret(id));

    // The largest update a socket may send: a paste just under LIMITS.maxUpdateBytes.
    const socket = await joinSocket(url, id);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await syncedState(url, id));
    const before = Y.encodeStateVector(doc);
    Sheet.of(doc).setCells(Array.from({ length: 200_000 }, (_, i) => ({ row: i % 20_000, col: 10 + Math.floor(i / 20_000), input: `paste-${i}-abcdefgh` })));
    const update = Y.encodeStateAsUpdate(doc, before);
    if (update.byteLength > LIMITS.maxUpdateBytes) throw new Error(`paste of ${update.byteLength} bytes is over the limit`);
    out[`socket update of ${round(update.byteLength / 2 ** 20, 1)} MiB (200,000 cells)`] = await loopDelay(url, async () => {
      const ack = await new Promise<Ack<null>>((r) => socket.emit("sheet:update", { sheetId: id, update }, r));
      if (!ack.ok) throw new Error(ack.error.message);
    });
    socket.disconnect();

    const cells = Object.fromEntries(Array.from({ length: LIMITS.maxPatchCells }, (_, i) => [`A${i + 1}`, `patched ${i}`]));
    out[`PATCH of ${LIMITS.maxPatchCells} cells`] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/cells`, { method: "PATCH", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ cells }) }), 200);
    });
    out[`GET of ${LIMITS.maxReadCells} cells`] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/cells?range=A1:J10000`, { headers: auth }), 200);
    });

    const csv = toCsv(Array.from({ length: LIMITS.maxImportCells / 10 }, (_, r) => Array.from({ length: 10 }, (_, c) => `r${r}c${c}`)));
    out[`CSV import of ${LIMITS.maxImportCells} cells`] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/import?at=A1`, { method: "POST", headers: { ...auth, "content-type": "text/csv" }, body: csv }), 200);
    });
    out[`CSV export of ${LIMITS.maxImportCells + 300_000} cells`] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/export.csv`, { headers: auth }), 200);
    });
    out["refused XLSX export of the same"] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/export.xlsx`, { headers: auth }), 413);
    });
    const atLimit = await createSheet(url);
    const atLimitAuth = bearer(ownerSecret(atLimit));
    const rows = LIMITS.maxXlsxExportCells / 10;
    await expectStatus(
      await fetch(`${url}/api/sheets/${atLimit}/import`, { method: "POST", headers: { ...atLimitAuth, "content-type": "text/csv" }, body: csv.split("\r\n").slice(0, rows).join("\r\n") }),
      200,
    );
    out[`XLSX export of ${LIMITS.maxXlsxExportCells} cells`] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${atLimit}/export.xlsx`, { headers: atLimitAuth }), 200);
    });

    const big = new ExcelJS.Workbook();
    const ws = big.addWorksheet("Big");
    for (let r = 0; r < 120_000; r++) ws.addRow(Array.from({ length: 10 }, (_, col) => r * 10 + col));
    const xlsx = new Uint8Array(await big.xlsx.writeBuffer());
    out["refused XLSX of 1,200,000 cells"] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/import`, { method: "POST", headers: { ...auth, "content-type": XLSX_TYPE }, body: xlsx }), 413);
    });
    const oversize = `${"1,".repeat(Math.floor((LIMITS.maxImportBytes - 1024) / 2))}1`;
    out[`refused CSV of ${round(oversize.length / 2 ** 20)} MiB`] = await loopDelay(url, async () => {
      await expectStatus(await fetch(`${url}/api/sheets/${id}/import`, { method: "POST", headers: { ...auth, "content-type": "text/csv" }, body: oversize }), 413);
    });
    return out;
  });
}

/** Writers of the history scenario, each with a name of its own; 10 at 90 edits/s each can outpace one fsync per edit. */
const HISTORY_WRITERS = 10;
const HISTORY_EDITS = Number(process.env.BENCH_HISTORY_EDITS ?? 100_000);

/**
 * Sends `count` single-cell edits, edit k from writer k mod n. Each writer has one edit in flight
 * and sends at most 90 a second (the per-socket event limit is 100). So every edit is its own
 * update and, since the edits waiting to be stored together are never two of one author (which
 * the server would merge), its own stored update. Returns the edits acknowledged per second.
 */
async function sendEdits(writers: Writer[], count: number, cellOf: (k: number) => CellWrite): Promise<number> {
  const started = performance.now();
  await Promise.all(
    writers.map(async (w, i) => {
      for (let k = i; k < count; k += writers.length) await Promise.all([w.edit([cellOf(k)]), sleep(11)]);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** HISTORY_WRITERS writers on a sheet, starting from `state`. */
function namedWriters(url: string, sheetId: string, state: Uint8Array): Promise<Writer[]> {
  return Promise.all(Array.from({ length: HISTORY_WRITERS }, (_, i) => writer(url, sheetId, state, `writer ${i}`)));
}

/**
 * History on disk: `edits` single-cell edits (`cellOf`) to a new sheet of at least `rows` rows
 * (grown by one edit first), then the server stopped cleanly, which checkpoints SQLite's WAL into
 * the file. The database's bytes against the live document a client syncs; the stored updates
 * are counted from the log afterwards, to show that each edit was stored as its own.
 */
async function historyOnDisk(edits: number, rows: number, cellOf: (k: number) => CellWrite, cells: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-bench-history-"));
  const made = await withServer(async ({ url }) => {
    const id = await createSheet(url);
    const c = connect(url, id);
    await c.provider.whenSynced();
    if (c.sheet.rowCount < rows) c.sheet.insertRows(c.sheet.rowCount, rows - c.sheet.rowCount);
    await c.provider.whenSaved();
    const state = Y.encodeStateAsUpdate(c.doc);
    c.close();
    const writers = await namedWriters(url, id, state);
    const editsPerSecond = await sendEdits(writers, edits, cellOf);
    for (const w of writers) w.close();
    const live = new Y.Doc();
    Y.applyUpdate(live, await syncedState(url, id));
    if (Sheet.of(live).types.cells.size !== cells) throw new Error(`the sheet holds ${Sheet.of(live).types.cells.size} cells, not ${cells}`);
    return { id, editsPerSecond, liveBytes: Y.encodeStateAsUpdate(live).byteLength };
  }, dataDir);
  const file = databaseFile({ dataDir });
  const diskBytes = [file, `${file}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
  const storage = new SqliteStorage(file);
  const storedUpdates = (await storage.history(made.id))!.updates.length;
  await storage.close();
  return { dataDir, ...made, diskBytes, storedUpdates, ratio: diskBytes / made.liveBytes };
}

/**
 * Cold open with a long history against without: two sheets of the same rows x cols CSV import,
 * one then edited `edits` times (single cells, each overwritten once), each opened cold RUNS times
 * by {@link coldJoin}, alternating which goes first.
 */
async function coldWithHistory(rows: number, cols: number, edits: number) {
  const plainDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-bench-cold-"));
  const plainId = await withServer((server) => importedSheet(server.url, rows, cols), plainDir);
  const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-bench-cold-history-"));
  const historyId = await withServer(async ({ url }) => {
    const id = await importedSheet(url, rows, cols);
    const writers = await namedWriters(url, id, await syncedState(url, id));
    await sendEdits(writers, edits, (k) => ({ row: Math.floor(k / cols) % rows, col: k % cols, input: `e${k}` }));
    for (const w of writers) w.close();
    return id;
  }, historyDir);
  const times = { plain: [] as number[], history: [] as number[] };
  const open = { plain: () => coldJoin(plainDir, plainId, rows * cols), history: () => coldJoin(historyDir, historyId, rows * cols) };
  for (let run = 0; run < RUNS; run++) {
    for (const which of run % 2 === 0 ? (["plain", "history"] as const) : (["history", "plain"] as const)) {
      times[which].push((await open[which]()).ms);
    }
  }
  return { plainMs: median(times.plain), historyMs: median(times.history), runs: times };
}

/**
 * Listing versions and restoring one on the sheet of {@link historyOnDisk}, after a restart, with
 * one socket holding the sheet open (so it is in memory, as when someone is on it). The restored
 * version is the state halfway through the log, with no checkpoint before it: the server replays
 * half the log to build it, the most any version of this sheet costs. Each restore is undone by
 * restoring the version it named before it, which brings all the cells back.
 */
async function historyOperations(dataDir: string, id: string, cells: number) {
  return withServer(async ({ url }) => {
    const holder = await listeners(url, id, 1);
    const timed = async (method: string, route: string, body?: unknown) => {
      const started = performance.now();
      const res = await apiCall(url, method, route, body);
      if (res.status !== 200) throw new Error(`${method} ${route}: ${res.status} ${res.text.slice(0, 200)}`);
      return { ms: performance.now() - started, json: res.json };
    };
    const list: number[] = [];
    let versions: { id: string; name?: string }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const r = await timed("GET", `/api/sheets/${id}/versions`);
      list.push(r.ms);
      versions = r.json.versions;
    }
    const middle = Math.round(Number(versions.find((v) => v.name === undefined)!.id) / 2);
    const restore: number[] = [];
    const undo: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const r = await timed("POST", `/api/sheets/${id}/versions/${middle}/restore`, { author: "bench" });
      restore.push(r.ms);
      undo.push((await timed("POST", `/api/sheets/${id}/versions/${r.json.before.id}/restore`, { author: "bench" })).ms);
    }
    holder.close();
    const after = new Y.Doc();
    Y.applyUpdate(after, await syncedState(url, id));
    if (Sheet.of(after).types.cells.size !== cells) throw new Error("undoing the restores did not bring every cell back");
    return { listMs: median(list), versions: versions.length, restoredSeq: middle, restoreMs: median(restore), undoMs: median(undo), runs: { list, restore, undo } };
  }, dataDir);
}

/**
 * `count` nodes (real processes) on one PostgreSQL database, joined by Redis. `redisUrls` gives
 * each node's address for Redis (a fault proxy, say); all use `redis` otherwise.
 */
async function withNodes<T>(
  postgres: TestPostgres,
  redis: TestRedis,
  count: number,
  fn: (nodes: ServerProcess[]) => Promise<T>,
  redisUrls: string[] = [],
): Promise<T> {
  const database = await postgres.newDatabase();
  const env = (i: number) => ({
    DATABASE_URL: database,
    REDIS_URL: redisUrls[i] ?? redis.url,
    PORT: "0",
    ADDRESS_EVENTS_PER_SECOND: "1000000",
    SHEETS_PER_MINUTE_PER_ADDRESS: "100000",
  });
  const nodes: ServerProcess[] = [];
  for (let i = 0; i < count; i++) nodes.push(await spawnServer(env(i)));
  try {
    return await fn(nodes);
  } finally {
    for (const node of nodes) node.child.kill("SIGTERM");
    await Promise.all(nodes.map((node) => node.exited));
  }
}

/** `n` split over `parts` as evenly as can be, the first ones taking the remainder. */
function shares(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

/**
 * Catching up, on two nodes, the second behind a proxy that loses every message while told to:
 * (a) an edit whose message is lost, then one whose message arrives: from the second edit to the
 * first shown on the second node (the gap read from the log); (b) a lost last message: from the
 * edit to it shown there (found by looking at the log's head, every 5 s).
 */
async function catchUp(postgres: TestPostgres, redis: TestRedis, tries: number) {
  const proxy = await startFaultProxy(redis.url);
  try {
    return await withNodes(postgres, redis, 2, async ([a, b]) => {
      const id = await createSheet(a!.url);
      const writer = connect(a!.url, id);
      const reader = connect(b!.url, id);
      await Promise.all([writer.provider.whenSynced(), reader.provider.whenSynced()]);
      const shown = (row: number, input: string) =>
        new Promise<number>((resolve) => {
          const check = () => {
            if (reader.sheet.getInput(row, 0) !== input) return;
            reader.sheet.types.cells.unobserve(check);
            resolve(performance.now());
          };
          reader.sheet.types.cells.observe(check);
          check();
        });
      const gap: number[] = [];
      const poll: number[] = [];
      for (let i = 0; i < tries; i++) {
        proxy.faults.drop = 1;
        writer.sheet.setCells([{ row: i, col: 0, input: `lost ${i}` }]);
        await writer.provider.whenSaved();
        // Its message, sent as it was acknowledged, is lost by now.
        await sleep(200);
        proxy.faults.drop = 0;
        const arrived = shown(i, `lost ${i}`);
        const t = performance.now();
        writer.sheet.setCells([{ row: i, col: 1, input: `heard ${i}` }]);
        gap.push((await arrived) - t);

        proxy.faults.drop = 1;
        const last = shown(i, `last ${i}`);
        const t2 = performance.now();
        writer.sheet.setCells([{ row: i, col: 0, input: `last ${i}` }]);
        poll.push((await last) - t2);
        proxy.faults.drop = 0;
      }
      writer.close();
      reader.close();
      return { gapMs: median(gap), pollMs: median(poll), pollMaxMs: Math.max(...poll) };
    }, [redis.url, proxy.url]);
  } finally {
    await proxy.close();
  }
}

/**
 * Joining a sheet of `rows` x `cols` cells that one node holds (a client has it open there): join
 * to synced on a node that does not hold it yet (it loads it from PostgreSQL), and on the node
 * that does.
 */
async function joinOnNodes(postgres: TestPostgres, redis: TestRedis, rows: number, cols: number, tries: number) {
  return withNodes(postgres, redis, 2, async ([a, b]) => {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < tries; i++) {
      const id = await importedSheet(a!.url, rows, cols);
      const holder = connect(a!.url, id);
      await holder.provider.whenSynced();
      cold.push(await joinToSynced(b!.url, id, ownerSecret(id)!));
      warm.push(await joinToSynced(a!.url, id, ownerSecret(id)!));
      holder.close();
    }
    return { coldMs: median(cold), warmMs: median(warm) };
  });
}

/** Runs `fn` beside a PostgreSQL server of the machine's own (fsync on, on the same disk, as in production). */
async function withPostgres<T>(fn: (postgres: TestPostgres) => Promise<T>): Promise<T> {
  const postgres = await startPostgres({ fsync: true });
  try {
    return await fn(postgres);
  } finally {
    await postgres.stop();
  }
}

async function repeat<T extends Record<string, number>>(fn: () => Promise<T>): Promise<T> {
  const runs: T[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fn());
  const keys = Object.keys(runs[0]!) as (keyof T)[];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k] as number))])) as T;
}

const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version },
  runs: RUNS,
  date: new Date().toISOString(),
};
const rows: [string, string, string][] = [];
function record(name: string, value: number, unit: string, target = ""): void {
  rows.push([name, `${round(value)} ${unit}`, target]);
  console.log(`${name}: ${round(value)} ${unit}`);
}

for (const n of want("fanout") ? (process.env.BENCH_FANOUT ?? "2,50,200").split(",").map(Number) : []) {
  const r = await repeat(() => withServer((server) => fanout([server], n, 200)));
  results[`fanout${n}`] = r;
  record(`relay latency p50, ${n} clients`, r.p50, "ms");
  record(`relay latency p99, ${n} clients`, r.p99, "ms", n === 200 ? "< 12 ms" : "");
  record(`delivered fraction, ${n} clients`, r.delivered * 100, "%");
  if (n === 2) record("server CPU per edit (apply, fsync'd commit, relay)", r.cpuUsPerDelivery / 1000, "ms");
  else record(`server CPU per delivery, ${n} clients`, r.cpuUsPerDelivery, "µs");
}
if (want("throughput")) {
  // On SQLite, then on PostgreSQL, in turn.
  await withPostgres(async (postgres) => {
    const tp = await repeat(async () => {
      const sqlite = await withServer((server) => throughput([server], 20, 25, 5));
      const pg = await withServer((server) => throughput([server], 20, 25, 5), undefined, { DATABASE_URL: await postgres.newDatabase() });
      return { ...sqlite, postgresDeliveredPerSecond: pg.deliveredPerSecond, postgresCpuUsPerDelivery: pg.cpuUsPerDelivery };
    });
    results.throughput20 = tp;
    record("delivered updates/s, 20 writers at 25 edits/s each", tp.deliveredPerSecond, "/s");
    record("server CPU per delivery, 20 writers", tp.cpuUsPerDelivery, "µs");
    record("delivered updates/s, 20 writers (PostgreSQL)", tp.postgresDeliveredPerSecond, "/s");
    record("server CPU per delivery, 20 writers (PostgreSQL)", tp.postgresCpuUsPerDelivery, "µs");
  });
}
if (want("ack")) {
  // SQLite and PostgreSQL in turn.
  await withPostgres(async (postgres) => {
    const ack = await repeat(async () => {
      const sqlite = await durableAck(300);
      const pg = await durableAck(300, { DATABASE_URL: await postgres.newDatabase() });
      return { p50: sqlite.p50, p99: sqlite.p99, postgresP50: pg.p50, postgresP99: pg.p99 };
    });
    results.durableAck = ack;
    record("durable-ack latency p50 (SQLite, fsync)", ack.p50, "ms");
    record("durable-ack latency p99 (SQLite, fsync)", ack.p99, "ms");
    record("durable-ack latency p50 (PostgreSQL, fsync)", ack.postgresP50, "ms");
    record("durable-ack latency p99 (PostgreSQL, fsync)", ack.postgresP99, "ms");
  });
}
if (want("nodes")) {
  await withPostgres(async (postgres) => {
    const redis = await startRedis();
    try {
      for (const count of [1, 2, 3]) {
        const f = await repeat(() => withNodes(postgres, redis, count, (nodes) => fanout(nodes, 200, 200)));
        results[`nodesFanout${count}`] = f;
        record(`nodes: relay latency p99, 200 clients on ${count} node(s)`, f.p99, "ms");
        record(`nodes: delivered fraction, 200 clients on ${count} node(s)`, f.delivered * 100, "%");
        record(`nodes: CPU per delivery, all nodes, 200 clients on ${count} node(s)`, f.cpuUsPerDelivery, "µs");
        record(`nodes: CPU per delivery, busiest node, 200 clients on ${count} node(s)`, f.busiestNodeCpuUsPerDelivery, "µs");
        const t = await repeat(() => withNodes(postgres, redis, count, (nodes) => throughput(nodes, 20, 25, 5)));
        results[`nodesThroughput${count}`] = t;
        record(`nodes: delivered updates/s, 20 writers on ${count} node(s)`, t.deliveredPerSecond, "/s");
        record(`nodes: CPU per delivery, 20 writers on ${count} node(s)`, t.cpuUsPerDelivery, "µs");
        record(`nodes: CPU per delivery per node, 20 writers on ${count} node(s)`, t.cpuUsPerDeliveryPerNode, "µs");
      }
      const c = await catchUp(postgres, redis, 5);
      results.nodesCatchUp = c;
      record("nodes: a lost message, shown on the other node after the next one arrives", c.gapMs, "ms");
      record("nodes: a lost last message, shown on the other node (median)", c.pollMs, "ms", "≤ 10 s");
      record("nodes: a lost last message, shown on the other node (slowest)", c.pollMaxMs, "ms", "≤ 10 s");
      const j = await joinOnNodes(postgres, redis, 100, 100, 5);
      results.nodesJoin = j;
      record("nodes: join to synced, 10k cells, on a node that did not hold the sheet", j.coldMs, "ms");
      record("nodes: join to synced, 10k cells, on the node that held it", j.warmMs, "ms");
    } finally {
      await redis.stop();
    }
  });
}
if (want("rss")) {
  const rss = await repeat(() => rssPerSheet(100));
  results.rssPerSheet = rss;
  record("server RSS per open sheet (1,000 x 26, 3 cells)", rss.bytesPerSheet / 1024, "KiB");
}
if (want("cold")) {
  const cold = await coldOpen(1000, 100);
  results.coldOpen100k = cold;
  record("cold open of a 100k-cell sheet (join to synced)", cold.ms, "ms", "< 500 ms");
}
if (want("join")) {
  const sizes = { joins: 500, clients: 1000, reconnects: 7 };
  const j = await joinCost(sizes);
  results.join = { ...sizes, ...j };
  record("join to synced p50, with a secret", j.secretP50, "ms");
  record("join to synced p50, by the plain address", j.plainP50, "ms");
  record("join to synced p90, with a secret", j.secretP90, "ms");
  record("join to synced p90, by the plain address", j.plainP90, "ms");
  record("join to synced: what the secret adds at the median", j.secretP50 - j.plainP50, "ms", "< 1 ms");
  record(`reconnect of ${sizes.clients} clients with secrets, all synced again`, j.reconnectSecretMs, "ms");
  record(`reconnect of ${sizes.clients} clients by the plain address`, j.reconnectPlainMs, "ms");
  record(`server CPU for the reconnect of ${sizes.clients} clients with secrets`, j.reconnectSecretCpuMs, "ms");
  record(`server CPU for the reconnect of ${sizes.clients} clients by the plain address`, j.reconnectPlainCpuMs, "ms");
}

if (want("fuzz")) {
  const seconds = Number(process.env.BENCH_FUZZ_SECONDS ?? 30);
  const f = await fuzz(seconds);
  results.fuzz = { seconds, ...f };
  record(`fuzz: messages sent in ${seconds} s (socket + HTTP)`, f.sent, `(${f.socketMessages} + ${f.httpRequests})`);
  record("fuzz: server peak RSS", f.peakRssMiB, "MiB");
  record("fuzz: worst /healthz latency", f.worstHealthMs, "ms");
  record("fuzz: slowest honest edit acknowledged", f.worstHonestMs, "ms");
}
if (want("limits")) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await limits());
  results.limits = runs;
  for (const name of Object.keys(runs[0]!)) {
    record(`${name}: time`, median(runs.map((r) => r[name]!.ms)), "ms");
    record(`${name}: worst event-loop delay`, median(runs.map((r) => r[name]!.loopDelayMs)), "ms");
  }
}

if (want("history")) {
  const edits = HISTORY_EDITS.toLocaleString("en");
  const distinct = await historyOnDisk(HISTORY_EDITS, Math.ceil(HISTORY_EDITS / 10), (k) => ({ row: Math.floor(k / 10), col: k % 10, input: `v${k}` }), HISTORY_EDITS);
  // 320 cells, 32 per writer: each writer overwrites only its own, so no two edits race for a cell.
  const overwrite = await historyOnDisk(HISTORY_EDITS, 0, (k) => ({ row: Math.floor((k % 320) / 10), col: k % 10, input: `v${k}` }), 320);
  const cold = await coldWithHistory(1000, 100, 20_000);
  const ops = await historyOperations(distinct.dataDir, distinct.id, HISTORY_EDITS);
  const { dataDir: _d, ...distinctFigures } = distinct;
  const { dataDir: _o, ...overwriteFigures } = overwrite;
  results.history = { edits: HISTORY_EDITS, writers: HISTORY_WRITERS, distinct: distinctFigures, overwrite: overwriteFigures, cold, operations: ops };
  for (const [what, r, target] of [[`${edits} edits of distinct cells`, distinct, "≤ 4x"], [`${edits} edits overwriting 320 cells`, overwrite, ""]] as const) {
    record(`history: edits acknowledged per second, ${what}`, r.editsPerSecond, "/s");
    record(`history: stored updates, ${what}`, r.storedUpdates, "updates");
    record(`history: database on disk, ${what}`, r.diskBytes / 2 ** 20, "MiB");
    record(`history: live document, ${what}`, r.liveBytes / 2 ** 20, "MiB");
    record(`history: disk / live document, ${what}`, r.ratio, "x", target);
  }
  record("history: cold open of a 100k-cell sheet without history (join to synced)", cold.plainMs, "ms");
  record("history: cold open of it after 20,000 single-cell edits", cold.historyMs, "ms", "no slower");
  record(`history: list versions (GET), ${edits} stored updates`, ops.listMs, "ms");
  record(`history: restore the version halfway back (POST, to its answer)`, ops.restoreMs, "ms");
  record("history: undo that restore (restore the version named before it)", ops.undoMs, "ms");
}

if (want("peers")) {
  const scenarios = (process.env.BENCH_PEERS?.split(",") ?? PEER_SCENARIOS).filter((s): s is PeerScenario => PEER_SCENARIOS.includes(s as PeerScenario));
  const compared = await compareRelays(RUNS, (line) => console.log(line), scenarios);
  results.peers = Object.fromEntries([...compared].map(([relay, figures]) => [relay.name, figures]));
  console.log(`\n| figure | ${RELAYS.map((r) => r.name).join(" | ")} | Cosheet / best other |\n|---|${RELAYS.map(() => "---|").join("")}---|`);
  const measured = FIGURES.filter((f) => compared.get(cosheet)![f.key] !== undefined);
  for (const f of measured.filter((f) => !f.own)) {
    const { ratio: x, best } = ratio(f, compared);
    const cells = RELAYS.map((r) => `${round(compared.get(r)![f.key]!)} ${f.unit}`);
    console.log(`| ${f.label} | ${cells.join(" | ")} | ${round(x)} (${best.name})${f.higherIsBetter ? ", higher is better" : ""} |`);
  }
  for (const f of measured.filter((f) => f.own)) console.log(`${f.label}: ${round(compared.get(cosheet)![f.key]!)} ${f.unit}`);
}

if (rows.length > 0) console.log("\n| figure | median | target |\n|---|---|---|");
for (const [name, value, target] of rows) console.log(`| ${name} | ${value} | ${target} |`);
const out = path.join(root, "bench-results/server.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
// A partial run (BENCH_ONLY) updates its own figures and keeps the others.
const previous = ONLY && fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, unknown>) : {};
fs.writeFileSync(out, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
console.log("\nwrote bench-results/server.json");
process.exit(0);
