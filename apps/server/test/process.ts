import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../scripts/services.js";

export { freePort };

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** This process's environment, less the settings that choose a server's storage and relay. */
function inherited(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _, REDIS_URL: __, ...rest } = process.env;
  return rest;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
  /** What it has written so far (its log). */
  output(): string;
}

/**
 * Starts the real server entry point (src/index.ts) in its own process, or another `entry` (a
 * path under apps/server) that prints `"port":N` once it listens.
 */
export async function spawnServer(env: Record<string, string>, nodeArgs: string[] = [], entry = "src/index.ts"): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", entry], {
    cwd: serverDir,
    // Where it stores is the test's to say: never a DATABASE_URL this process was started with.
    env: { ...inherited(), HOST: "127.0.0.1", LOG_LEVEL: "info", WEB_DIR: "/nonexistent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | string | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"port":(\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, exited, output: () => output };
}
