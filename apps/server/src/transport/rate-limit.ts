import type { IncomingHttpHeaders } from "node:http";
import { isIPv6 } from "node:net";

/** A limit: `perSecond` events on average, `burst` at once. */
export interface Rate {
  perSecond: number;
  burst: number;
}

/**
 * How much of its burst a refused bucket wins back before the client is told to send again:
 * enough for a resync and a little editing, so the client is not refused again at once, and
 * still a pause of a fraction of a second at the shipped limits.
 */
const RESUME_SHARE = 0.1;

/** How often full address buckets are dropped from the map. */
const SWEEP_MS = 60_000;

/**
 * A token bucket: `perSecond` tokens a second, at most `burst` saved up, more while the event
 * loop catches up after a stall.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: Rate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.last = now;
  }

  /**
   * Takes one token from every bucket, or from none if any is short. Returns 0 when taken;
   * otherwise the ms until every bucket has won back a tenth of its burst, the wait to advise.
   *
   * `creditMs` is how long the event loop was just blocked ({@link LagMonitor}). Events that
   * arrived during a stall are all processed after it, as if sent at once; raising each cap by
   * what that much time refills lets them pass as they would have on arrival. The credit is no
   * more than what an honest client could have sent at the full rate meanwhile, so a stall
   * buys an abuser nothing it could not have had without one.
   */
  static takeAll(buckets: readonly TokenBucket[], now: number, creditMs: number): number {
    for (const bucket of buckets) bucket.refill(now, creditMs);
    if (buckets.every((bucket) => bucket.tokens >= 1)) {
      for (const bucket of buckets) bucket.tokens -= 1;
      return 0;
    }
    return Math.max(...buckets.map((bucket) => bucket.msUntil(Math.max(1, bucket.rate.burst * RESUME_SHARE))));
  }

  /** Whether the bucket is full at `now`, and so no different from a new one. */
  isFull(now: number): boolean {
    return this.refilled(now) >= this.rate.burst;
  }

  private refill(now: number, creditMs: number): void {
    this.tokens = Math.min(this.rate.burst + (creditMs / 1000) * this.rate.perSecond, this.refilled(now));
    this.last = now;
  }

  /** The tokens at `now`, before any cap. */
  private refilled(now: number): number {
    return this.tokens + ((now - this.last) / 1000) * this.rate.perSecond;
  }

  private msUntil(tokens: number): number {
    return Math.max(0, Math.ceil(((tokens - this.tokens) / this.rate.perSecond) * 1000));
  }
}

/**
 * Measures how long the event loop has just been blocked, from how late a timer fires. A late
 * tick's lag is kept until a tick fires on time again, that is until the loop has caught up and
 * processed what queued up meanwhile; a tick overdue right now counts too, so events processed
 * right after a stall but before the timer's turn get the credit as well. Under sustained
 * overload (every tick late) the credit stays at the longest lag seen, which bounds it.
 */
export class LagMonitor {
  private due: number;
  private lag = 0;

  /** Starts measuring; the timer does not keep the process alive. */
  constructor(private readonly intervalMs = 100) {
    this.due = this.schedule(performance.now());
  }

  /** How long the loop was blocked just before `now` (ms). */
  blockedMs(now: number): number {
    return Math.max(this.lag, now - this.due);
  }

  private schedule(now: number): number {
    setTimeout(this.tick, this.intervalMs).unref();
    return now + this.intervalMs;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const late = now - this.due;
    this.lag = late > this.intervalMs ? Math.max(this.lag, late) : 0;
    this.due = this.schedule(now);
  };
}

/** One for the process: the lag is its event loop's, whichever server asks. */
let processLag: LagMonitor | undefined;

/**
 * The key an address's events are counted under: an IPv4 address itself (also when written as
 * an IPv4-mapped IPv6 address), an IPv6 address its /64 network, because one host usually holds
 * a whole /64 and could otherwise spread its sockets over as many addresses as it likes.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 address at the end stands for two groups.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes(".") ? 1 : 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(missing).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

/**
 * The address a socket's events are counted against: the peer of its connection. Behind a
 * reverse proxy that is the proxy, which every client then shares; with `trustProxy` it is the
 * last X-Forwarded-For entry instead, the address that the proxy (one, in front of this server)
 * saw. Earlier entries are whatever the client sent, so they are never used.
 */
export function socketAddress(
  handshake: { address: string; headers: IncomingHttpHeaders },
  trustProxy: boolean,
): string {
  const forwarded = trustProxy ? handshake.headers["x-forwarded-for"] : undefined;
  const last = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded)?.split(",").at(-1)?.trim();
  return last || handshake.address;
}

/**
 * Limits each socket's events, and the events of all sockets from one address together, so that
 * more sockets buy no more events. Everyone behind one NAT or proxy shares an address's limit,
 * which is why it is several sockets' worth (see `LIMITS`).
 */
export class RateLimiter {
  private readonly byAddress = new Map<string, TokenBucket>();
  private sweptAt = performance.now();
  private readonly lag = (processLag ??= new LagMonitor());

  constructor(
    private readonly perAddress: Rate,
    /** Each socket's own limit, for {@link forSocket}. */
    private readonly perSocket: Rate = perAddress,
  ) {}

  /**
   * Counts one request from `address` alone (HTTP requests have no socket of their own): 0 when
   * it may go ahead, otherwise the ms to wait.
   */
  take(address: string): number {
    const now = performance.now();
    return TokenBucket.takeAll([this.addressBucket(addressKey(address), now)], now, this.lag.blockedMs(now));
  }

  /**
   * The limit of a new socket from `address`: call it for each event. It returns 0 when the
   * event may go ahead, otherwise the ms the client should wait; a refused event costs nothing.
   */
  forSocket(address: string): () => number {
    const key = addressKey(address);
    const own = new TokenBucket(this.perSocket, performance.now());
    return () => {
      const now = performance.now();
      return TokenBucket.takeAll([own, this.addressBucket(key, now)], now, this.lag.blockedMs(now));
    };
  }

  /**
   * Looked up for every event rather than held by the socket, so that a sweep may drop full
   * buckets (no different from new ones) and the map holds only addresses active of late.
   */
  private addressBucket(key: string, now: number): TokenBucket {
    if (now - this.sweptAt > SWEEP_MS) {
      this.sweptAt = now;
      for (const [k, bucket] of this.byAddress) if (bucket.isFull(now)) this.byAddress.delete(k);
    }
    let bucket = this.byAddress.get(key);
    if (!bucket) this.byAddress.set(key, (bucket = new TokenBucket(this.perAddress, now)));
    return bucket;
  }
}
