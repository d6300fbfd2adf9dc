import { Worker } from "node:worker_threads";
import * as Y from "yjs";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, LIMITS, type SyncStatus } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";
import { addressKey, LagMonitor, socketAddress, TokenBucket } from "../src/transport/rate-limit.js";
import { connectClient, createSheet, eventually, startServer, type TestServer } from "./helpers.js";

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("TokenBucket", () => {
  it("lets a burst through, then the rate; a refusal takes nothing from any bucket", () => {
    const own = new TokenBucket({ perSecond: 10, burst: 5 }, 0);
    const shared = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    const take = (now: number) => TokenBucket.takeAll([own, shared], now, 0);
    expect([take(0), take(0), take(0)]).toEqual([0, 0, 0]);
    // The shared bucket is empty: wait until it has won back a tenth of its burst, or one token.
    expect(take(0)).toBe(100);
    // The refusal cost the socket's own bucket nothing: it still has two tokens.
    const alone = (now: number) => TokenBucket.takeAll([own], now, 0);
    expect([alone(0), alone(0), alone(0)]).toEqual([0, 0, 100]);
    expect(take(100)).toBe(0);
  });

  it("advises the wait until a tenth of the burst is back", () => {
    const bucket = new TokenBucket({ perSecond: 100, burst: 300 }, 0);
    for (let i = 0; i < 300; i++) expect(TokenBucket.takeAll([bucket], 0, 0)).toBe(0);
    expect(TokenBucket.takeAll([bucket], 0, 0)).toBe(300);
    expect(TokenBucket.takeAll([bucket], 200, 0)).toBe(0);
  });

  it("after a stall, passes what arrived at the rate meanwhile, then caps at the burst again", () => {
    const events = (bucket: TokenBucket, now: number, creditMs: number, n: number) =>
      Array.from({ length: n }, () => TokenBucket.takeAll([bucket], now, creditMs)).filter((wait) => wait === 0).length;
    // 400 events sent at 100/s over a 4 s stall, all processed when it ends.
    const uncredited = new TokenBucket({ perSecond: 100, burst: 300 }, 0);
    expect(events(uncredited, 4000, 0, 400)).toBe(300);
    const credited = new TokenBucket({ perSecond: 100, burst: 300 }, 0);
    expect(events(credited, 4000, 4000, 400)).toBe(400);
    // Unused credit is gone once the loop has caught up: a new burst is the usual one.
    expect(events(credited, 10_000, 0, 400)).toBe(300);
    expect(credited.isFull(13_000)).toBe(true);
  });
});

describe("LagMonitor", () => {
  it("reports a blocked loop while it is blocked and until it has caught up", async () => {
    const lag = new LagMonitor(50);
    await sleep(60);
    busy(300);
    // The tick is overdue: it has not run, but the stall counts already.
    expect(lag.blockedMs(performance.now())).toBeGreaterThanOrEqual(200);
    // The tick has run, late: its lag counts until a tick is on time again.
    await sleep(0);
    expect(lag.blockedMs(performance.now())).toBeGreaterThanOrEqual(200);
    await eventually(() => lag.blockedMs(performance.now()) < 50);
  });
});

describe("addresses", () => {
  it("counts IPv4 by address and IPv6 by /64 network", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:DB8:1:2::9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("1:2::3:4:5:6.7.8.9")).toBe("1:2:0:3::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("reads X-Forwarded-For only when told to trust the proxy, and only its last entry", () => {
    const handshake = { address: "10.0.0.2", headers: { "x-forwarded-for": "1.1.1.1, 198.51.100.4" } };
    expect(socketAddress(handshake, false)).toBe("10.0.0.2");
    expect(socketAddress(handshake, true)).toBe("198.51.100.4");
    expect(socketAddress({ address: "10.0.0.2", headers: {} }, true)).toBe("10.0.0.2");
  });
});

interface Counts {
  sent: number;
  accepted: number;
  refused: number;
  other: number;
  /** From the first event sent to the last answer. */
  seconds: number;
}

/**
 * Plain socket.io clients in a worker thread, so that they keep sending while this thread (and
 * the server in it) is blocked. Each of `sockets` sends `perSecond` cheap acknowledged events a
 * second (leaving a sheet it never joined) for `ms`, catching up if its timer runs late. Plain
 * CommonJS, since a worker cannot load this package's TypeScript: the parser is the wire's.
 */
const SENDER = `
const { parentPort, workerData } = require("node:worker_threads");
const { io } = require("socket.io-client");
const parser = require("socket.io-msgpack-parser");
const { url, sockets, perSecond, ms, sheetId, rateLimited } = workerData;
const counts = { sent: 0, accepted: 0, refused: 0, other: 0 };
const conns = Array.from({ length: sockets }, () => io(url, { transports: ["websocket"], parser }));
Promise.all(conns.map((s) => new Promise((r) => s.once("connect", r)))).then(() => {
  parentPort.postMessage("started");
  const start = performance.now();
  const answers = [];
  let each = 0;
  const timer = setInterval(() => {
    const elapsed = Math.min(ms, performance.now() - start);
    for (const due = Math.floor((elapsed / 1000) * perSecond); each < due; each++) {
      for (const s of conns) {
        counts.sent++;
        answers.push(new Promise((resolve) => s.emit("sheet:leave", { sheetId }, (ack) => {
          if (ack.ok) counts.accepted++;
          else if (ack.error.code === rateLimited) counts.refused++;
          else counts.other++;
          resolve();
        })));
      }
    }
    if (elapsed < ms) return;
    clearInterval(timer);
    Promise.all(answers).then(() => {
      counts.seconds = (performance.now() - start) / 1000;
      for (const s of conns) s.disconnect();
      parentPort.postMessage(counts);
    });
  }, 10);
});
`;

function sendFromWorker(url: string, load: { sockets: number; perSecond: number; ms: number }) {
  const worker = new Worker(SENDER, {
    eval: true,
    workerData: { url, ...load, sheetId: "B".repeat(LIMITS.sheetIdLength), rateLimited: ErrorCode.RateLimited },
  });
  const counts = new Promise<Counts>((resolve, reject) => {
    worker.on("message", (message: "started" | Counts) => message !== "started" && resolve(message));
    worker.once("error", reject);
  });
  return {
    started: new Promise<void>((resolve) => worker.once("message", () => resolve())),
    done: counts.finally(() => worker.terminate()),
  };
}

describe("the server's limits", () => {
  let server: TestServer;

  afterEach(() => server.close());

  it("ten sockets from one address share its limit; one socket alone at a modest rate is not refused", async () => {
    server = await startServer();
    const alone = await sendFromWorker(server.url, { sockets: 1, perSecond: 90, ms: 2000 }).done;
    expect(alone).toMatchObject({ refused: 0, other: 0, accepted: alone.sent });

    // Each under its own limit of 100/s, 900/s together: three times the address's rate.
    const ten = await sendFromWorker(server.url, { sockets: 10, perSecond: 90, ms: 3000 }).done;
    expect(ten.other).toBe(0);
    expect(ten.refused).toBeGreaterThan(0);
    // No more than the burst and what the rate refills; a second's slack for a busy machine.
    const most = LIMITS.eventsBurstPerAddress + LIMITS.eventsPerSecondPerAddress * (ten.seconds + 1);
    expect(ten.accepted).toBeLessThanOrEqual(most);
  });

  it("after the event loop was blocked for seconds, clients that kept to the rate are not refused", async () => {
    server = await startServer();
    // 280 events/s from one address, under its 300/s. The stall is longer than the address's
    // burst lasts at that rate (3 s), so the burst alone could not absorb what queues up.
    const run = sendFromWorker(server.url, { sockets: 10, perSecond: 28, ms: 7000 });
    await run.started;
    await sleep(1000);
    busy(4000);
    const counts = await run.done;
    expect(counts).toMatchObject({ refused: 0, other: 0, accepted: counts.sent });
  });

  it("a rate-limited provider waits briefly, resends, and loses nothing", async () => {
    server = await startServer();
    const sheetId = await createSheet(server.url);
    const client = connectClient(server.url, sheetId);
    const { provider, sheet } = client;
    await provider.whenSynced();
    const statuses: { status: SyncStatus; unsynced: number }[] = [];
    provider.on("status", (status) => statuses.push({ status, unsynced: provider.unsyncedChanges }));
    const errors: unknown[] = [];
    provider.on("error", (error) => errors.push(error));

    // One event per edit, as fast as the client can: far past 100 events a second.
    for (let i = 0; i < 1500; i++) {
      sheet.setCells([{ row: i % 100, col: Math.floor(i / 100), input: `v${i}` }]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Well under the 10-15 s a refusal cost when every one doubled the wait.
    await Promise.race([provider.whenSaved(), sleep(8000).then(() => Promise.reject(new Error("still unsaved")))]);

    expect(provider.unsyncedChanges).toBe(0);
    expect(errors).toEqual([]);
    // It was refused, and while it waited it said so, with changes outstanding.
    expect(statuses).toContainEqual({ status: "retrying", unsynced: expect.any(Number) });
    expect(statuses.filter((s) => s.status === "retrying").every((s) => s.unsynced > 0)).toBe(true);
    await eventually(() => provider.status === "synced");

    const stored = new Y.Doc();
    for (const update of (await server.storage.load(sheetId))!.updates) Y.applyUpdate(stored, update);
    const cells = Sheet.of(stored).toA1Record();
    expect(Object.keys(cells)).toHaveLength(1500);
    expect(cells).toEqual(sheet.toA1Record());
    client.close();
  });
});
