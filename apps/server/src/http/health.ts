import type { Storage } from "../storage/storage.js";

/** How long `/healthz` waits for the storage to answer before it calls it unavailable. */
const STORAGE_CHECK_MS = 2_000;

export type StorageHealth =
  | { kind: Storage["kind"]; status: "ok"; latencyMs: number }
  | { kind: Storage["kind"]; status: "unavailable"; error: string; cause: unknown };

/**
 * Whether the storage answers a query, and how quickly (ms, to a tenth), or else that it did not
 * (`error`, fit for anyone to read) and why (`cause`, for the log: it may name hosts).
 */
export async function checkStorage(storage: Storage): Promise<StorageHealth> {
  const { kind } = storage;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STORAGE_CHECK_MS} ms`)), STORAGE_CHECK_MS);
  });
  try {
    await Promise.race([storage.check(), late]);
    return { kind, status: "ok", latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    const late = err instanceof Error && err.message.startsWith("no answer within");
    return { kind, status: "unavailable", error: late ? `no answer within ${STORAGE_CHECK_MS} ms` : "the storage could not be reached", cause: err };
  } finally {
    clearTimeout(timer);
  }
}
