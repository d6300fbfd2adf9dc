import { Piscina } from "piscina";
import { ErrorCode, ProtocolError } from "@cosheet/protocol";
import type * as tasks from "./tasks.js";

export interface FileWorkersOptions {
  /** Threads for file work. One keeps the other core for the event loop on a small machine. */
  threads?: number;
  /** Jobs that may wait for a thread; past it, requests get 503 at once. */
  maxQueue?: number;
  /**
   * Heap of each worker: a hostile file exhausts its worker, not the server. An export holds a
   * copy of the sheet: about 2 GiB for a million formatted cells written as XLSX.
   */
  maxHeapMb?: number;
  /** A job not done this long after it was asked for (queued or running) is abandoned. */
  timeoutMs?: number;
  /** Where a worker that fails between jobs is reported (a failing job is its request's error). */
  onError?: (err: unknown) => void;
}

type Tasks = Pick<typeof tasks, "xlsxExport" | "csvExport" | "readUpload">;
type TaskName = keyof Tasks;

/**
 * Heavy file work (reading CSV and XLSX uploads, writing CSV and XLSX downloads) on worker threads,
 * so no upload or download blocks the event loop that every socket and request shares. An export
 * gets a copy of the sheet's state and answers the file; an upload is read there and answered in
 * bands, which the server writes into the sheet one turn at a time.
 */
export class FileWorkers {
  private readonly pool: Piscina;
  private readonly timeoutMs: number;

  constructor(options: FileWorkersOptions = {}) {
    const here = import.meta.url;
    // From source (tests, `pnpm dev`) the worker loads tasks.ts through tsx; the build bundles it
    // next to the server as files-worker.js.
    const worker = here.endsWith(".ts") ? "./source-worker.mjs" : "./files-worker.js";
    this.pool = new Piscina({
      filename: new URL(worker, here).href,
      minThreads: 0,
      maxThreads: options.threads ?? 1,
      maxQueue: options.maxQueue ?? 16,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 2048 },
    });
    this.timeoutMs = options.timeoutMs ?? 120_000;
    // Without a listener, a worker failing with no job in flight would throw in the server.
    this.pool.on("error", options.onError ?? (() => {}));
  }

  /**
   * Runs one task on a worker thread. A full queue or a time-out is UNAVAILABLE; a job that needs
   * more memory than a worker has (a file that unpacks to too much) is IMPORT_TOO_LARGE.
   */
  async run<N extends TaskName>(name: N, input: Parameters<Tasks[N]>[0]): Promise<Awaited<ReturnType<Tasks[N]>>> {
    if (this.pool.queueSize >= this.pool.options.maxQueue) {
      throw new ProtocolError(ErrorCode.Unavailable, "the server is busy with other files; try again shortly");
    }
    try {
      return (await this.pool.run(input, { name, signal: AbortSignal.timeout(this.timeoutMs) })) as Awaited<ReturnType<Tasks[N]>>;
    } catch (err) {
      const { name: kind, code } = err as { name?: string; code?: string };
      if (kind === "AbortError" || kind === "TimeoutError") {
        throw new ProtocolError(ErrorCode.Unavailable, "the file took too long to process");
      }
      if (code === "ERR_WORKER_OUT_OF_MEMORY") {
        throw new ProtocolError(ErrorCode.ImportTooLarge, "the file needs more memory than the server allows for one file");
      }
      throw err;
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
