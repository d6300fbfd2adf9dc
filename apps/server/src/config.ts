import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { LIMITS } from "@cosheet/protocol";

/** `https://host[:port]` and nothing more: what a browser sends as Origin. */
function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** An address with one of `protocols` (`"redis:"`) and a host. */
function isAddressOf(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== "";
  } catch {
    return false;
  }
}

const EnvSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATA_DIR: z.string().min(1).default("./data"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    WEB_DIR: z.string().min(1).optional(),
    IDLE_UNLOAD_MS: z.coerce.number().int().min(0).default(30_000),
    TRUST_PROXY: z.enum(["true", "false"]).default("false"),
    ADDRESS_EVENTS_PER_SECOND: z.coerce.number().int().min(1).default(LIMITS.eventsPerSecondPerAddress),
    PUBLIC_URL: z
      .string()
      .refine((url) => isOrigin(url.replace(/\/+$/, "")), "the address people open the app at, such as https://sheets.example")
      .optional(),
    SHEETS_PER_MINUTE_PER_ADDRESS: z.coerce.number().int().min(1).default(LIMITS.sheetsPerMinutePerAddress),
    HISTORY_RETENTION_DAYS: z.coerce.number().positive().max(36_500).default(30),
    FAILED_SECRETS_PER_MINUTE_PER_ADDRESS: z.coerce.number().int().min(1).default(LIMITS.failedSecretsPerMinutePerAddress),
    DATABASE_URL: z
      .string()
      .refine((url) => isAddressOf(url, ["postgres:", "postgresql:"]), "a PostgreSQL address such as postgres://cosheet:secret@db.example:5432/cosheet")
      .optional(),
    REDIS_URL: z.string().refine((url) => isAddressOf(url, ["redis:", "rediss:"]), "a Redis address such as redis://redis.example:6379").optional(),
    ALLOWED_ORIGINS: z
      .string()
      .default("")
      .transform((list) => list.split(",").map((o) => o.trim()).filter(Boolean))
      .refine((origins) => origins.every(isOrigin), "a comma-separated list of origins such as https://intranet.example"),
  })
  .refine((e) => e.REDIS_URL === undefined || e.DATABASE_URL !== undefined, {
    path: ["REDIS_URL"],
    message: "several nodes share one PostgreSQL database: set DATABASE_URL too",
  });

export interface Config {
  port: number;
  host: string;
  /** Where the SQLite file lives (when there is no `databaseUrl`). */
  dataDir: string;
  /** PostgreSQL instead of the SQLite file: for several nodes sharing one database. */
  databaseUrl: string | undefined;
  /** Redis, which joins this node to the others on the same database. */
  redisUrl: string | undefined;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  /** The built web app; defaults to apps/web/dist next to this server. */
  webDir: string;
  idleUnloadMs: number;
  /** One reverse proxy in front sets X-Forwarded-For (see `AppDeps.trustProxy`). */
  trustProxy: boolean;
  /** See `AppDeps.addressRate`. */
  addressRate: number;
  /** See `AppDeps.allowedOrigins`. */
  allowedOrigins: string[];
  /** See `AppDeps.sheetsPerMinute`. */
  sheetsPerMinute: number;
  /** See `AppDeps.failedSecretsPerMinute`. */
  failedSecretsPerMinute: number;
  /** See `AppDeps.historyRetentionMs`. */
  historyRetentionMs: number;
  /** See `AppDeps.publicUrl`. */
  publicUrl: string | undefined;
}

/** The built web app, as found from a module of the built server (apps/server/dist). */
export function builtWebDir(moduleUrl: string): string {
  return path.resolve(path.dirname(fileURLToPath(moduleUrl)), "../../web/dist");
}

/** The SQLite file of a server's data. */
export function databaseFile(config: Pick<Config, "dataDir">): string {
  return path.join(config.dataDir, "cosheet.db");
}

/** Reads and validates the environment once; throws a readable error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv, defaultWebDir: string): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`invalid configuration:\n${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    webDir: path.resolve(e.WEB_DIR ?? defaultWebDir),
    idleUnloadMs: e.IDLE_UNLOAD_MS,
    trustProxy: e.TRUST_PROXY === "true",
    addressRate: e.ADDRESS_EVENTS_PER_SECOND,
    allowedOrigins: e.ALLOWED_ORIGINS,
    sheetsPerMinute: e.SHEETS_PER_MINUTE_PER_ADDRESS,
    failedSecretsPerMinute: e.FAILED_SECRETS_PER_MINUTE_PER_ADDRESS,
    historyRetentionMs: e.HISTORY_RETENTION_DAYS * 24 * 3_600_000,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
  };
}
