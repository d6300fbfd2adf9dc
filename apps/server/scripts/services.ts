/**
 * PostgreSQL, Redis and nginx from the machine's own packages (Debian's `postgresql`,
 * `redis-server` and `nginx`), each run as a child of this process in a directory of its own: for
 * several nodes on one machine (`npm run cluster`), the tests and the benchmarks. As root, the
 * PostgreSQL cluster belongs to the `postgres` user, as PostgreSQL requires.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const execFileAsync = promisify(execFile);

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs one statement on its own connection to `url`, and answers its rows. */
export async function queryOnce<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The directory of PostgreSQL's server programs: PG_BIN, or the newest of Debian's. */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, "bin")).find((dir) => fs.existsSync(path.join(dir, "pg_ctl")));
  if (!found) throw new Error("no PostgreSQL server on this machine: install Debian's postgresql package, or set PG_BIN");
  return found;
}

const asRoot = () => process.getuid?.() === 0;

/** The command line of one of PostgreSQL's tools, as the cluster's owner. */
export function postgresCommand(tool: string, args: string[]): [string, string[]] {
  const program = path.join(postgresBin(), tool);
  return asRoot() ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
}

export interface PostgresServer {
  port: number;
  /** The address of one of its databases. */
  url(database?: string): string;
  /** Makes a database, unless it exists. */
  createDatabase(name: string): Promise<void>;
  /** Stops the server at once: every connection cut, as in a crash (its data stays). */
  kill(): Promise<void>;
  /** Starts it again after {@link kill}. */
  start(): Promise<void>;
  /** A clean stop. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server whose cluster is `dir/data` (made if it is not there yet), on `port` of
 * 127.0.0.1, trusting local connections. `fsync: false` is for tests, which check behaviour,
 * not a power loss.
 */
export async function startPostgresServer(options: { dir: string; port: number; fsync?: boolean }): Promise<PostgresServer> {
  const { dir, port } = options;
  const data = path.join(dir, "data");
  if (asRoot()) execFileSync("chown", ["postgres:postgres", dir]);
  // Asynchronous: the caller's own servers and clients go on while PostgreSQL starts and stops.
  const run = async (tool: string, args: string[]) => {
    await execFileAsync(...postgresCommand(tool, args));
  };
  if (!fs.existsSync(path.join(data, "PG_VERSION"))) await run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=${options.fsync === false ? "off" : "on"} -c max_connections=200`;
  const start = () => run("pg_ctl", ["-D", data, "-o", settings, "-l", path.join(dir, "log"), "-w", "start"]);
  const stopWith = (mode: string) => () => run("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
  await start();
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const found = await queryOnce(url(), "SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (found.length === 0) await queryOnce(url(), `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    },
    kill: stopWith("immediate"),
    start,
    stop: stopWith("fast"),
  };
}

/** Resolves once `child` has exited (after killing it with `signal`, if it still runs). */
export function stopped(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** Starts `command`, and resolves once it printed `ready` (on either stream); rejects if it exits first. */
async function startUntil(command: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const hear = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve();
    };
    child.stdout!.on("data", hear);
    child.stderr!.on("data", hear);
    child.once("exit", (code) => reject(new Error(`${command} exited (${code}):\n${output}`)));
    child.once("error", reject);
  });
  return child;
}

export interface RedisServer {
  url: string;
  /** Kills the server (as a crash would) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Redis server on `port` of 127.0.0.1 that saves nothing: Cosheet keeps nothing in Redis, so it
 * may restart empty at any time.
 */
export async function startRedisServer(port: number): Promise<RedisServer> {
  const launch = () =>
    startUntil("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], "Ready to accept connections");
  let child = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stopped(child);
      child = await launch();
    },
    stop: () => stopped(child),
  };
}

export interface NginxOptions {
  /** Where its configuration, logs and temporary files go. */
  dir: string;
  /** The address it listens at (127.0.0.1 unless given) and its port. */
  host?: string;
  port: number;
  /** The nodes' ports on 127.0.0.1. */
  nodes: readonly number[];
}

/**
 * nginx in front of the nodes: WebSocket upgrades passed on, a node that refuses connections
 * skipped (its clients reconnect to another), and X-Forwarded-For set for TRUST_PROXY=true.
 * Socket.IO runs over WebSocket alone here, so no node needs sticky sessions.
 *
 * No node is ever marked down (`max_fails=0`): nginx counts a proxied connection as a success
 * only when it ends, so a node marked down while it restarted would take one WebSocket per
 * `fail_timeout` until its sockets closed. Each connection tries the next node instead.
 */
export function nginxConfig(options: NginxOptions): string {
  const { dir } = options;
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream cosheet {
    least_conn;
${options.nodes.map((port) => `    server 127.0.0.1:${port} max_fails=0;`).join("\n")}
  }
  server {
    listen ${options.host ?? "127.0.0.1"}:${options.port};
    client_max_body_size 60m;
    location / {
      proxy_pass http://cosheet;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_connect_timeout 2s;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }
  }
}
`;
}

export interface Nginx {
  url: string;
  stop(): Promise<void>;
}

/** nginx (Debian's) with {@link nginxConfig}, its files in `dir`, in the foreground as this process' child. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  fs.mkdirSync(options.dir, { recursive: true });
  // Its workers run as an unprivileged user when started as root: they write its temporary files.
  if (asRoot()) fs.chmodSync(options.dir, 0o777);
  const conf = path.join(options.dir, "nginx.conf");
  fs.writeFileSync(conf, nginxConfig(options));
  const nginx = fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
  const child = spawn(nginx, ["-c", conf, "-e", path.join(options.dir, "error.log"), "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`nginx exited (${code}):\n${output}`))));
  // Listening once it answers.
  for (let tries = 0; ; tries++) {
    const up = await Promise.race([
      new Promise<boolean>((resolve) => {
        const socket = net.connect(options.port, options.host === "0.0.0.0" || options.host === undefined ? "127.0.0.1" : options.host, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      }),
      exited,
    ]);
    if (up) break;
    if (tries > 100) throw new Error(`nginx did not listen on ${options.port}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  exited.catch(() => {});
  return { url: `http://127.0.0.1:${options.port}`, stop: () => stopped(child, "SIGQUIT") };
}
