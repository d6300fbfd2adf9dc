import { createClient, type RedisClientType } from "@redis/client";
import type { Logger } from "pino";
import { randomId } from "@cosheet/sheet";
import { decodeMessage, encodeMessage, type Heard, type Relay, type SheetMessage } from "./relay.js";

const CHANNEL_PREFIX = "cosheet:sheet:";

/** A sheet's channel: every node that holds the sheet subscribes to it. */
function channelOf(sheetId: string): string {
  return `${CHANNEL_PREFIX}${sheetId}`;
}

/** How long to wait for Redis before a start fails, and between tries after a connection is lost. */
const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_MAX_MS = 2_000;
/** Tries a start makes before it gives up (a running node never gives up). */
const START_TRIES = 3;

type Client = RedisClientType;

/**
 * The relay over Redis pub/sub (the official client): one channel per sheet, a connection to
 * publish and one to subscribe. Nothing is stored in Redis, so it needs no persistence and may
 * restart at any time; while it is away, publishing fails (messages are not queued), joining a
 * sheet subscribes once it is back, and the nodes find what they missed in the log.
 */
export class RedisRelay implements Relay {
  readonly kind = "redis" as const;
  readonly node = randomId(12);
  /** The sheets joined, with their listeners. */
  private readonly listeners = new Map<string, (heard: Heard) => void>();
  /** Sheets left whose unsubscribe failed: tried again once connected. */
  private readonly stale = new Set<string>();
  private readonly reconnected: (() => void)[] = [];
  private readyOnce = false;
  private down = false;

  private constructor(
    private readonly publisher: Client,
    private readonly subscriber: Client,
    private readonly logger: Logger,
  ) {
    for (const client of [publisher, subscriber]) {
      client.on("error", (err: unknown) => {
        // The client reconnects by itself: say so once per outage, not once per try.
        if (this.readyOnce && !this.down) logger.warn({ err }, "lost the connection to Redis; reconnecting");
        if (this.readyOnce) this.down = true;
      });
      client.on("ready", () => {
        if (!this.down) return;
        this.down = false;
        logger.info("connected to Redis again");
      });
    }
    subscriber.on("ready", () => {
      if (!this.readyOnce) return;
      // The client subscribes again to what it was subscribed to; not to what was joined meanwhile.
      // What was published while away is looked for once every sheet is heard again.
      for (const sheetId of this.stale) this.unsubscribe(sheetId);
      void Promise.all([...this.listeners.keys()].map((sheetId) => this.subscribe(sheetId))).then(() => {
        for (const listener of this.reconnected) listener();
      });
    });
  }
  /** Connects to Redis at `url`; rejects if it cannot be reached at start. */
  static async open(url: string, logger: Logger): Promise<RedisRelay> {
    let relay: RedisRelay | null = null;
    const options = {
      url,
      // Publishing while disconnected fails at once rather than queueing without bound.
      disableOfflineQueue: true,
      pingInterval: 5_000,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectStrategy: (retries: number, cause: Error) =>
          relay?.readyOnce || retries < START_TRIES ? Math.min(RECONNECT_MAX_MS, 50 * 2 ** retries) + Math.random() * 100 : cause,
      },
    };
    const publisher = createClient(options);
    const subscriber = publisher.duplicate();
    relay = new RedisRelay(publisher, subscriber, logger);
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (err) {
      publisher.destroy();
      subscriber.destroy();
      throw err;
    }
    relay.readyOnce = true;
    return relay;
  }

  async join(sheetId: string, listener: (heard: Heard) => void): Promise<void> {
    this.listeners.set(sheetId, listener);
    this.stale.delete(sheetId);
    // While Redis is away the sheet opens all the same: it subscribes once connected again.
    if (this.subscriber.isReady) await this.subscribe(sheetId);
  }

  leave(sheetId: string): void {
    this.listeners.delete(sheetId);
    this.unsubscribe(sheetId);
  }

  publish(sheetId: string, message: SheetMessage): void {
    this.publisher.publish(channelOf(sheetId), Buffer.from(encodeMessage(this.node, message))).catch((err: unknown) => {
      // The others find a lost update in the log; presence is sent again within 15 s.
      this.logger.debug({ err, sheetId, type: message.type }, "publishing to Redis failed");
    });
  }

  /** One listener for every channel (the client keeps each once, however often subscribed). */
  private readonly onMessage = (bytes: Buffer, channel: Buffer): void => {
    this.hear(channel.toString().slice(CHANNEL_PREFIX.length), bytes);
  };

  private async subscribe(sheetId: string): Promise<void> {
    try {
      await this.subscriber.subscribe(channelOf(sheetId), this.onMessage, true);
    } catch (err) {
      // Subscribed once connected again (see the constructor); the log covers what was missed.
      this.logger.debug({ err, sheetId }, "subscribing to a sheet failed");
    }
  }

  private unsubscribe(sheetId: string): void {
    this.subscriber.unsubscribe(channelOf(sheetId), this.onMessage, true).then(
      () => this.stale.delete(sheetId),
      (err: unknown) => {
        // Its messages are dropped meanwhile (no listener).
        if (!this.listeners.has(sheetId)) this.stale.add(sheetId);
        this.logger.debug({ err, sheetId }, "unsubscribing from a sheet failed");
      },
    );
  }

  onReconnect(listener: () => void): void {
    this.reconnected.push(listener);
  }

  async check(): Promise<void> {
    if (!this.subscriber.isReady) throw new Error("the connection that hears the other nodes is down");
    await this.publisher.ping();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.allSettled([this.subscriber.close(), this.publisher.close()]);
  }

  private hear(sheetId: string, bytes: Buffer): void {
    const listener = this.listeners.get(sheetId);
    if (!listener) return;
    let heard: Heard;
    try {
      heard = decodeMessage(bytes);
    } catch (err) {
      this.logger.warn({ err, sheetId }, "dropped a message on Redis that is not a sheet message");
      return;
    }
    if (heard.node === this.node) return;
    try {
      listener(heard);
    } catch (err) {
      this.logger.error({ err, sheetId, type: heard.message.type }, "acting on a message from another node failed");
    }
  }
}
