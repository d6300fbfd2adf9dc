import http from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import express from "express";
import type { Logger } from "pino";
import { Server } from "socket.io";
import { LIMITS, wireParser } from "@cosheet/protocol";
import { Access } from "./access/access.js";
import { SheetRegistry } from "./registry/registry.js";
import type { Storage } from "./storage/storage.js";
import { FileWorkers } from "./files/pool.js";
import { apiRouter } from "./http/api.js";
import { Dependency } from "./http/health.js";
import type { Relay } from "./relay/relay.js";
import { originAllowed, publicHostOnly, sameOriginWrites } from "./http/origins.js";
import { securityHeaders } from "./http/headers.js";
import { errorHandler } from "./http/errors.js";
import { webRouter } from "./http/web.js";
import { attachSocketTransport, socketBroadcaster, type SheetServer } from "./transport/socket.js";

export interface AppDeps {
  storage: Storage;
  logger: Logger;
  /** The other nodes serving the same sheets (on the same storage), if any. */
  relay?: Relay | null;
  /** Directory of the built web app; null serves a "not built" notice. */
  webDir?: string | null;
  /** How long an unused sheet stays in memory (ms). Default 30 s. */
  idleUnloadMs?: number;
  /** Write a checkpoint of a sheet (so it loads fast) after this many appends. Default 500. */
  checkpointEvery?: number;
  /**
   * Whether one reverse proxy in front sets X-Forwarded-For, so sockets are rate limited per
   * client address rather than all under the proxy's. Default false: the header is not trusted.
   */
  trustProxy?: boolean;
  /**
   * Events all sockets of one address may send per second together. Default
   * `LIMITS.eventsPerSecondPerAddress`; raise it where many people share one address.
   */
  addressRate?: number;
  /**
   * Other origins whose pages may connect and change sheets (`https://intranet.example`). The
   * server's own origin always may, as may clients that send no Origin (scripts, bots).
   */
  allowedOrigins?: readonly string[];
  /**
   * The address people open the app at (`https://sheets.example`). When set, requests sent to any
   * other host are refused, which stops pages that rebind their own domain to this server.
   */
  publicUrl?: string;
  /** Sheets one address may create per minute. Default `LIMITS.sheetsPerMinutePerAddress`. */
  sheetsPerMinute?: number;
  /** Wrong link secrets one address may try per minute. Default `LIMITS.failedSecretsPerMinutePerAddress`. */
  failedSecretsPerMinute?: number;
  /**
   * How long a sheet's whole history is kept (ms); older history is thinned to named versions and
   * one version a week. Default 30 days.
   */
  historyRetentionMs?: number;
}

export interface App {
  httpServer: http.Server;
  io: SheetServer;
  registry: SheetRegistry;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting connections, waits for pending writes, unloads every sheet. */
  close(): Promise<void>;
}

/** Builds the server without reading the environment, so tests can start as many as they like. */
export function createApp(deps: AppDeps): App {
  const { logger } = deps;
  const origins = {
    allowed: new Set(deps.allowedOrigins ?? []),
    trustProxy: deps.trustProxy ?? false,
    publicHost: deps.publicUrl === undefined ? undefined : new URL(deps.publicUrl).host.toLowerCase(),
  };
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders());
  const httpServer = http.createServer(app);
  const io: SheetServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.maxMessageBytes,
    serveClient: false,
    parser: wireParser,
    // A page of another site may not open a socket in its visitor's name.
    allowRequest: (req, callback) => callback(null, originAllowed(req, origins)),
  });
  const retentionMs = deps.historyRetentionMs ?? 30 * 24 * 3_600_000;
  const relay = deps.relay ?? null;
  const access = new Access({
    storage: deps.storage,
    logger,
    failedSecretsPerMinute: deps.failedSecretsPerMinute ?? LIMITS.failedSecretsPerMinutePerAddress,
    relay,
  });
  const registry = new SheetRegistry({
    storage: deps.storage,
    logger,
    hooks: {
      ...socketBroadcaster(io),
      accessClosed: (sheetId, linkId) => access.closedElsewhere(sheetId, linkId),
      accessLive: (sheetId, live, asOf) => access.liveElsewhere({ sheetId, ...live, asOf }),
    },
    idleUnloadMs: deps.idleUnloadMs ?? 30_000,
    checkpointEvery: deps.checkpointEvery ?? 500,
    retentionMs,
    relay,
  });
  attachSocketTransport(io, registry, access, logger, {
    trustProxy: deps.trustProxy ?? false,
    addressRate: deps.addressRate ?? LIMITS.eventsPerSecondPerAddress,
  });

  const dependencies = {
    storage: new Dependency("the storage", deps.storage.kind, () => deps.storage.check(), logger),
    ...(relay ? { relay: new Dependency("the relay", relay.kind, () => relay.check(), logger) } : {}),
  };
  const healthOfAll = async () => {
    const names = Object.keys(dependencies) as (keyof typeof dependencies)[];
    const checked = await Promise.all(names.map((name) => dependencies[name]!.health()));
    return names.map((name, i) => ({ name, health: checked[i]! }));
  };
  // Without its storage a node can do nothing; without the relay it serves all the same (other
  // nodes' edits reach it from the log, a few seconds late): degraded, not unavailable.
  app.get("/healthz", async (_req, res) => {
    const all = await healthOfAll();
    const down = all.filter(({ health }) => health.status !== "ok").map(({ name }) => name);
    const status = down.includes("storage") ? "unavailable" : down.length > 0 ? "degraded" : "ok";
    const body: Record<string, unknown> = { status };
    for (const { name, health } of all) {
      body[name] = health.status === "ok" ? health : { kind: health.kind, status: health.status, error: health.error };
    }
    res.status(status === "unavailable" ? 503 : 200).json(body);
  });
  // How long the event loop, which every socket and request shares, was blocked.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  app.get("/metrics", async (_req, res) => {
    const seconds = (ns: number) => (ns / 1e9).toFixed(4);
    const all = await healthOfAll();
    const delay = [
      "# HELP cosheet_event_loop_delay_max_seconds Longest event-loop delay since the previous scrape.",
      "# TYPE cosheet_event_loop_delay_max_seconds gauge",
      `cosheet_event_loop_delay_max_seconds ${seconds(loopDelay.max)}`,
      "# HELP cosheet_event_loop_delay_p99_seconds 99th percentile of event-loop delay since the previous scrape.",
      "# TYPE cosheet_event_loop_delay_p99_seconds gauge",
      `cosheet_event_loop_delay_p99_seconds ${seconds(loopDelay.percentile(99))}`,
    ];
    loopDelay.reset();
    res.type("text/plain; version=0.0.4").send(
      [
        ...delay,
        "# HELP cosheet_open_sheets Sheets loaded in memory.",
        "# TYPE cosheet_open_sheets gauge",
        `cosheet_open_sheets ${registry.openSheets}`,
        "# HELP cosheet_connected_sockets Connected Socket.IO clients.",
        "# TYPE cosheet_connected_sockets gauge",
        `cosheet_connected_sockets ${io.engine.clientsCount}`,
        ...all.flatMap(({ name, health }) => [
          `# HELP cosheet_${name}_up Whether the ${name} answered (1) or not (0).`,
          `# TYPE cosheet_${name}_up gauge`,
          `cosheet_${name}_up{kind="${health.kind}"} ${health.status === "ok" ? 1 : 0}`,
          ...(health.status === "ok"
            ? [
                `# HELP cosheet_${name}_check_seconds How long the ${name} took to answer.`,
                `# TYPE cosheet_${name}_check_seconds gauge`,
                `cosheet_${name}_check_seconds{kind="${health.kind}"} ${(health.latencyMs / 1000).toFixed(4)}`,
              ]
            : []),
        ]),
        ...(relay
          ? [
              "# HELP cosheet_catch_up_reads_total Reads of the log for updates other nodes stored that this node had not heard of.",
              "# TYPE cosheet_catch_up_reads_total counter",
              `cosheet_catch_up_reads_total ${registry.catchUps.reads}`,
              "# HELP cosheet_catch_up_updates_total Updates other nodes stored that those reads applied here.",
              "# TYPE cosheet_catch_up_updates_total counter",
              `cosheet_catch_up_updates_total ${registry.catchUps.updates}`,
            ]
          : []),
        "",
      ].join("\n"),
    );
  });
  const files = new FileWorkers({ onError: (err) => logger.error({ err }, "a file worker failed") });
  const api = apiRouter(registry, {
    files,
    access,
    storage: deps.storage,
    retentionMs,
    trustProxy: deps.trustProxy ?? false,
    sheetsPerMinute: deps.sheetsPerMinute ?? LIMITS.sheetsPerMinutePerAddress,
  });
  // Health and metrics answer load balancers and scrapers at any host; the app and its API only at
  // PUBLIC_URL's, when it is set.
  const ownHost = publicHostOnly(origins);
  app.use("/api", ownHost, sameOriginWrites(origins), api);
  app.use(ownHost, webRouter(deps.webDir ?? null));
  app.use(errorHandler(logger));

  return {
    httpServer,
    io,
    registry,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => {
          httpServer.off("error", reject);
          resolve(httpServer.address() as AddressInfo);
        });
      });
    },
    async close() {
      loopDelay.disable();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await registry.close();
      await files.close();
    },
  };
}
