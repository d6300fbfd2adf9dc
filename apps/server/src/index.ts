import { pino } from "pino";
import { createApp } from "./app.js";
import { builtWebDir, loadConfig } from "./config.js";
import { RedisRelay } from "./relay/redis.js";
import { openStorage, storagePlace, withoutPassword } from "./storage/open.js";

/** A setting or the database is wrong: says what, in one message without a stack trace, and stops. */
function cannotStart(err: unknown): never {
  console.error(`Cosheet cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

// The composition root: with the operator commands (cli.ts), the only place that reads the environment.
const config = (() => {
  try {
    return loadConfig(process.env, builtWebDir(import.meta.url));
  } catch (err) {
    return cannotStart(err);
  }
})();
const logger = pino({ level: config.logLevel });
const storage = await openStorage(config, {
  onLockLost: (err) => {
    // Another server serves the sheets now; this one's clients reconnect to it.
    logger.fatal({ err }, "stopping: another server uses the database");
    process.exit(1);
  },
}).catch(cannotStart);
const relay = config.redisUrl
  ? await RedisRelay.open(config.redisUrl, logger).catch((err: unknown) =>
      cannotStart(new Error(`cannot reach Redis at ${withoutPassword(config.redisUrl!)}: ${err instanceof Error ? err.message : String(err)}`)),
    )
  : null;
const app = createApp({
  storage,
  relay,
  logger,
  webDir: config.webDir,
  idleUnloadMs: config.idleUnloadMs,
  trustProxy: config.trustProxy,
  addressRate: config.addressRate,
  allowedOrigins: config.allowedOrigins,
  sheetsPerMinute: config.sheetsPerMinute,
  failedSecretsPerMinute: config.failedSecretsPerMinute,
  historyRetentionMs: config.historyRetentionMs,
  ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
});

const address = await app.listen(config.port, config.host);
logger.info(
  { port: address.port, host: config.host, storage: storagePlace(config), ...(relay ? { relay: withoutPassword(config.redisUrl!), node: relay.node } : {}) },
  `Cosheet is listening on http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${address.port}`,
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: closing connections and flushing sheets");
  const force = setTimeout(() => {
    logger.error("shutdown took too long; exiting");
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    await app.close();
    await relay?.close();
    await storage.close();
    logger.info("stopped");
    process.exit(0);
  } catch (err) {
    logger.error({ err }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
