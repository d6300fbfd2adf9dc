/**
 * Several server processes on one PostgreSQL, joined by one Redis, behind nginx: all real, all
 * started here. Clients connect through nginx (or to one node), as browsers would.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startNginx, type Nginx } from "../scripts/services.js";
import { connectClient, createSheet, eventually, type TestClient } from "./helpers.js";
import { startPostgres, type TestPostgres } from "./postgres.js";
import { freePort, spawnServer, type ServerProcess } from "./process.js";
import { startRedis, type TestRedis } from "./redis.js";

let postgres: TestPostgres;
let redis: TestRedis;
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

const clients: TestClient[] = [];
const procs: ServerProcess[] = [];
const proxies: Nginx[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of procs.splice(0)) p.child.kill("SIGKILL");
  await Promise.all(proxies.splice(0).map((n) => n.stop()));
});

interface Cluster {
  nodes: ServerProcess[];
  nginx: Nginx;
  /** Starts node `i` again (on its port) after it was killed. */
  restart(i: number): Promise<void>;
}

async function cluster(count: number): Promise<Cluster> {
  const env = {
    DATABASE_URL: await postgres.newDatabase(),
    REDIS_URL: redis.url,
    TRUST_PROXY: "true",
    ADDRESS_EVENTS_PER_SECOND: "100000",
  };
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const launch = async (port: number) => {
    const p = await spawnServer({ ...env, PORT: String(port) });
    procs.push(p);
    return p;
  };
  const nodes = await Promise.all(ports.map(launch));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-nginx-"));
  const nginx = await startNginx({ dir, port: await freePort(), nodes: ports });
  proxies.push(nginx);
  return {
    nodes,
    nginx,
    async restart(i) {
      nodes[i] = await launch(ports[i]!);
    },
  };
}

function client(base: string, id: string): TestClient {
  const c = connectClient(base, id);
  clients.push(c);
  return c;
}

/** Resolves once every client shows the same cells and rows as a client that joins now. */
async function converged(base: string, id: string, all: TestClient[], timeoutMs = 10_000): Promise<TestClient> {
  const fresh = client(base, id);
  await fresh.provider.whenSynced();
  await eventually(() => {
    const record = fresh.sheet.toA1Record();
    const rows = fresh.sheet.rows.list().join();
    for (const c of all) {
      expect(c.sheet.toA1Record()).toEqual(record);
      expect(c.sheet.rows.list().join()).toBe(rows);
    }
  }, timeoutMs);
  return fresh;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("nodes behind nginx on one PostgreSQL and one Redis", () => {
  it("clients on two nodes converge after random concurrent edits and structure changes", async () => {
    const { nodes, nginx } = await cluster(2);
    const id = await createSheet(nginx.url, "Shared");
    const writers = [0, 1, 0, 1].map((n) => client(nodes[n]!.url, id));
    await Promise.all(writers.map((w) => w.provider.whenSynced()));
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 60; round++) {
      for (const [i, w] of writers.entries()) {
        const roll = random();
        if (roll < 0.1) w.sheet.insertRows(Math.floor(random() * 5), 1 + Math.floor(random() * 2));
        else if (roll < 0.15 && w.sheet.rowCount > 20) w.sheet.deleteRows(Math.floor(random() * 5), 1);
        else if (roll < 0.2) w.sheet.insertCols(Math.floor(random() * 3), 1);
        else if (roll < 0.23 && w.sheet.colCount > 10) w.sheet.deleteCols(Math.floor(random() * 3), 1);
        else w.sheet.setCellsA1({ [`${"ABCDEF"[Math.floor(random() * 6)]}${1 + Math.floor(random() * 30)}`]: `w${i} r${round}` });
      }
      await sleep(10);
    }
    await Promise.all(writers.map((w) => w.provider.whenSaved()));
    const fresh = await converged(nginx.url, id, writers);
    expect(fresh.sheet.types.cells.size).toBeGreaterThan(20);
  }, 90_000);

  it("kill -9 of a node under 20 writers loses no acknowledged edit, over 10 trials", async () => {
    const { nodes, nginx, restart } = await cluster(2);
    for (let trial = 0; trial < 10; trial++) {
      const id = await createSheet(nginx.url, `Trial ${trial}`);
      const writers = Array.from({ length: 20 }, () => client(nginx.url, id));
      await Promise.all(writers.map((w) => w.provider.whenSynced()));
      /** Each writer's edits up to this one were acknowledged. */
      const acked = writers.map(() => 0);
      const written = writers.map(() => 0);
      let writing = true;
      const loops = writers.map(async (w, i) => {
        while (writing) {
          const k = ++written[i]!;
          w.sheet.setCellsA1({ [`${String.fromCharCode(65 + i)}${k}`]: `w${i} e${k}` });
          void w.provider.whenSaved().then(() => {
            acked[i] = Math.max(acked[i]!, k);
          });
          await sleep(40);
        }
      });
      // The kill comes once edits are being acknowledged, a little later each trial.
      await eventually(() => expect(acked.filter((k) => k > 0).length).toBe(writers.length), 20_000);
      await sleep(trial * 50);
      const victim = trial % 2;
      const ackedBefore = acked.reduce((a, b) => a + b, 0);
      nodes[victim]!.child.kill("SIGKILL");
      await nodes[victim]!.exited;
      await sleep(800);
      writing = false;
      await Promise.all(loops);
      await Promise.all(writers.map((w) => w.provider.whenSaved()));
      expect(ackedBefore).toBeGreaterThan(0);

      // What a client joining now (on the node that lived) reads: every edit, acknowledged before
      // the kill or resent after it.
      const fresh = await converged(nginx.url, id, writers);
      for (const [i, n] of written.entries()) {
        for (let k = 1; k <= n; k++) expect(fresh.sheet.getInput(k - 1, i), `trial ${trial}, writer ${i}, edit ${k}`).toBe(`w${i} e${k}`);
      }
      expect(fresh.sheet.types.cells.size).toBe(written.reduce((a, b) => a + b, 0));
      for (const w of writers.splice(0)) {
        w.close();
        clients.splice(clients.indexOf(w), 1);
      }
      await restart(victim);
    }
  }, 300_000);

  it("PostgreSQL restarted mid-run: no acknowledged edit lost, and writes resume on both nodes", async () => {
    const { nodes, nginx } = await cluster(2);
    const id = await createSheet(nginx.url, "Through a restart");
    const writers = [0, 1].map((n) => client(nodes[n]!.url, id));
    await Promise.all(writers.map((w) => w.provider.whenSynced()));
    const phases = ["before", "while down", "after"];
    /** Each writer writes 20 cells of its own column per phase. */
    const write = (phase: string) => {
      for (const [i, w] of writers.entries()) {
        const col = "ABCDEF"[phases.indexOf(phase) * 2 + i];
        for (let k = 1; k <= 20; k++) w.sheet.setCellsA1({ [`${col}${k}`]: `${phase} ${k}` });
      }
    };
    write("before");
    await Promise.all(writers.map((w) => w.provider.whenSaved()));
    await postgres.kill();
    write("while down");
    await sleep(500);
    expect(writers.some((w) => w.provider.unsyncedChanges > 0)).toBe(true);
    await postgres.start();
    await Promise.all(writers.map((w) => w.provider.whenSaved()));
    write("after");
    await Promise.all(writers.map((w) => w.provider.whenSaved()));
    const fresh = await converged(nginx.url, id, writers);
    for (const [p, phase] of phases.entries()) {
      for (let col = p * 2; col < p * 2 + 2; col++) for (let k = 1; k <= 20; k++) expect(fresh.sheet.getInput(k - 1, col)).toBe(`${phase} ${k}`);
    }
    expect(fresh.sheet.types.cells.size).toBe(120);
    for (const node of nodes) expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
