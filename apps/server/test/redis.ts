/**
 * A real Redis for the tests (Debian's `redis-server`), on a free port of 127.0.0.1, with nothing
 * saved to disk; and a proxy in front of it that the tests tell to lose, delay or repeat the
 * messages it carries to subscribers, or to cut every connection for a while.
 */
import net from "node:net";
import { freePort, startRedisServer, type RedisServer } from "../scripts/services.js";

export type TestRedis = RedisServer;

export async function startRedis(): Promise<TestRedis> {
  return startRedisServer(await freePort());
}

/**
 * Where a RESP frame that starts at `start` ends (the index after it), or -1 if `buf` does not
 * hold all of it yet. Covers RESP2 and RESP3.
 */
function frameEnd(buf: Buffer, start: number): number {
  if (start >= buf.length) return -1;
  const lineEnd = buf.indexOf("\r\n", start);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[start]!);
  const n = Number(buf.toString("latin1", start + 1, lineEnd));
  const after = lineEnd + 2;
  switch (type) {
    case "$":
    case "!":
    case "=":
      return n < 0 ? after : after + n + 2 <= buf.length ? after + n + 2 : -1;
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      let pos = after;
      const items = n < 0 ? 0 : type === "%" || type === "|" ? n * 2 : n;
      for (let i = 0; i < items; i++) {
        pos = frameEnd(buf, pos);
        if (pos < 0) return -1;
      }
      // An attribute comes before the frame it describes.
      return type === "|" ? frameEnd(buf, pos) : pos;
    }
    default:
      return after;
  }
}

/** Whether a frame is a message published to a channel (what a subscriber is pushed). */
function isPublished(frame: Buffer): boolean {
  if (frame[0] !== 0x3e /* > */ && frame[0] !== 0x2a /* * */) return false;
  const text = frame.toString("latin1", 0, 32);
  return /^[>*]3\r\n\$7\r\nmessage\r\n/.test(text) || /^[>*]3\r\n\$8\r\nsmessage\r\n/.test(text);
}

export interface Faults {
  /** Share of published messages lost. */
  drop: number;
  /** Share of published messages held back for `delayMs` (others overtake them). */
  delay: number;
  delayMs: number;
  /** Share of published messages delivered twice. */
  duplicate: number;
}

export const NO_FAULTS: Faults = { drop: 0, delay: 0, delayMs: 0, duplicate: 0 };

export interface FaultProxy {
  url: string;
  faults: Faults;
  /** Published messages it lost, held back and repeated so far. */
  counts: { dropped: number; delayed: number; duplicated: number; passed: number };
  /** Cuts every connection, and refuses new ones for `ms`. */
  cut(ms: number): void;
  close(): Promise<void>;
}

/** A TCP proxy to `target` (host:port) that applies {@link Faults} to what subscribers are pushed. */
export async function startFaultProxy(targetUrl: string, random: () => number = Math.random): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let refuseUntil = 0;
  const proxy: FaultProxy = {
    url: "",
    faults: { ...NO_FAULTS },
    counts: { dropped: 0, delayed: 0, duplicated: 0, passed: 0 },
    cut(ms) {
      refuseUntil = Date.now() + ms;
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on("error", close);
      s.on("close", close);
    }
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let start = 0;
      for (;;) {
        const end = frameEnd(pending, start);
        if (end < 0) break;
        const frame = pending.subarray(start, end);
        start = end;
        if (!isPublished(frame)) {
          client.write(frame);
          continue;
        }
        const { drop, delay, delayMs, duplicate } = proxy.faults;
        const roll = random();
        if (roll < drop) {
          proxy.counts.dropped++;
        } else if (roll < drop + delay) {
          proxy.counts.delayed++;
          const copy = Buffer.from(frame);
          setTimeout(() => client.writable && client.write(copy), delayMs);
        } else {
          proxy.counts.passed++;
          client.write(frame);
          if (random() < duplicate) {
            proxy.counts.duplicated++;
            client.write(frame);
          }
        }
      }
      pending = Buffer.from(pending.subarray(start));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  proxy.url = `redis://127.0.0.1:${port}`;
  return proxy;
}
