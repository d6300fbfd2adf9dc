import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Logger } from "pino";
import { Server } from "socket.io";
import { LIMITS, wireParser } from "@cosheet/protocol";
import { SheetRegistry } from "./registry/registry.js";
import type { Storage } from "./storage/storage.js";
import { apiRouter } from "./http/api.js";
import { errorHandler } from "./http/errors.js";
import { webRouter } from "./http/web.js";
import { attachSocketTransport, socketBroadcaster, type SheetServer } from "./transport/socket.js";

export interface AppDeps {
  storage: Storage;
  logger: Logger;
  /** Directory of the built web app; null serves a "not built" notice. */
  webDir?: string | null;
  /** How long an unused sheet stays in memory (ms). Default 30 s. */
  idleUnloadMs?: number;
  /** Compact a sheet's stored log after this many appends. Default 500. */
  compactEvery?: number;
  /**
   * Whether one reverse proxy in front sets X-Forwarded-For, so sockets are rate limited per
   * client address rather than all under the proxy's. Default false: the header is not trusted.
   */
  trustProxy?: boolean;
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
  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.set("X-Content-Type-Options", "nosniff");
    next();
  });
  const httpServer = http.createServer(app);
  const io: SheetServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.maxMessageBytes,
    serveClient: false,
    parser: wireParser,
  });
  const registry = new SheetRegistry({
    storage: deps.storage,
    logger,
    hooks: socketBroadcaster(io),
    idleUnloadMs: deps.idleUnloadMs ?? 30_000,
    compactEvery: deps.compactEvery ?? 500,
  });
  attachSocketTransport(io, registry, logger, { trustProxy: deps.trustProxy ?? false });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/metrics", (_req, res) => {
    res.type("text/plain; version=0.0.4").send(
      [
        "# HELP cosheet_open_sheets Sheets loaded in memory.",
        "# TYPE cosheet_open_sheets gauge",
        `cosheet_open_sheets ${registry.openSheets}`,
        "# HELP cosheet_connected_sockets Connected Socket.IO clients.",
        "# TYPE cosheet_connected_sockets gauge",
        `cosheet_connected_sockets ${io.engine.clientsCount}`,
        "",
      ].join("\n"),
    );
  });
  app.use("/api", apiRouter(registry));
  app.use(webRouter(deps.webDir ?? null));
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
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await registry.close();
    },
  };
}
