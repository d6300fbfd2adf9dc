/**
 * Several Cosheet nodes on this machine, as they run on several: PostgreSQL and Redis from the
 * machine's packages, NODES nodes (2 by default) of the built server, and nginx in front on PORT.
 * `npm run cluster` from the repository's root; Ctrl+C stops everything (the data stays in
 * CLUSTER_DIR for the next start).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startNginx, startPostgresServer, startRedisServer, stopped } from "./services.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const entry = path.join(root, "apps/server/dist/index.js");
const dir = path.resolve(process.env.CLUSTER_DIR ?? path.join(root, "data/cluster"));
const port = Number(process.env.PORT ?? 3000);
const count = Number(process.env.NODES ?? 2);

function fail(message: string): never {
  console.error(`cluster: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(entry)) fail("the server is not built: run `npm run build` first (or `npm run cluster` from the repository's root)");
if (!Number.isInteger(count) || count < 1 || count > 9) fail("NODES: give a number of nodes from 1 to 9");
fs.mkdirSync(path.join(dir, "postgres"), { recursive: true });

console.log(`cluster: PostgreSQL, Redis, ${count} nodes and nginx, with their data in ${dir}`);
const postgres = await startPostgresServer({ dir: path.join(dir, "postgres"), port: await freePort() }).catch((err: Error) =>
  fail(`PostgreSQL did not start (${err.message.trim()}); as root, CLUSTER_DIR must be a directory the postgres user can reach, such as /var/tmp/cosheet`),
);
await postgres.createDatabase("cosheet");
const redis = await startRedisServer(await freePort());

const nodePorts = await Promise.all(Array.from({ length: count }, () => freePort()));
const nodes: ChildProcess[] = nodePorts.map((nodePort, i) => {
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: String(nodePort),
      HOST: "127.0.0.1",
      DATABASE_URL: postgres.url("cosheet"),
      REDIS_URL: redis.url,
      TRUST_PROXY: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `node ${i + 1} | `;
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (chunk: Buffer) => process.stdout.write(chunk.toString().replace(/^(?=.)/gm, prefix)));
  }
  return child;
});
// Each node says when it listens; nginx starts after.
await Promise.all(
  nodes.map(
    (child) =>
      new Promise<void>((resolve, reject) => {
        let output = "";
        child.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("Cosheet is listening")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`a node exited (${code})`)));
      }),
  ),
).catch((err: Error) => fail(err.message));
const nginx = await startNginx({ dir: path.join(dir, "nginx"), host: process.env.HOST ?? "0.0.0.0", port, nodes: nodePorts });
console.log(`cluster: open http://localhost:${port} (nodes on ports ${nodePorts.join(", ")}); Ctrl+C stops it`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await nginx.stop();
  await Promise.all(nodes.map((child) => stopped(child, "SIGTERM")));
  await redis.stop();
  await postgres.stop();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
