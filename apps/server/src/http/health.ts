import type { Logger } from "pino";

/** How long `/healthz` waits for a dependency to answer before it calls it unavailable. */
const CHECK_MS = 2_000;

export type Health<K extends string = string> =
  | { kind: K; status: "ok"; latencyMs: number }
  | { kind: K; status: "unavailable"; error: string; cause: unknown };

/**
 * A service the node depends on (the storage, the relay), checked on demand: whether it answers,
 * and how quickly (ms, to a tenth), or else that it did not (`error`, fit for anyone to read) and
 * why (`cause`, for the log: it may name hosts). Its going and coming back are logged once each.
 */
export class Dependency<K extends string = string> {
  private up = true;

  constructor(
    /** What it is called in messages: "the storage". */
    private readonly name: string,
    readonly kind: K,
    private readonly check: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  async health(): Promise<Health<K>> {
    const health = await this.probe();
    if (health.status === "ok" && !this.up) this.logger.info(`${this.name} answers again`);
    if (health.status !== "ok" && this.up) this.logger.warn({ err: health.cause }, `${this.name} does not answer: ${health.error}`);
    this.up = health.status === "ok";
    return health;
  }

  private async probe(): Promise<Health<K>> {
    const { kind } = this;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_MS} ms`)), CHECK_MS);
    });
    try {
      await Promise.race([this.check(), late]);
      return { kind, status: "ok", latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (err) {
      const late = err instanceof Error && err.message.startsWith("no answer within");
      return { kind, status: "unavailable", error: late ? `no answer within ${CHECK_MS} ms` : `${this.name} could not be reached`, cause: err };
    } finally {
      clearTimeout(timer);
    }
  }
}
