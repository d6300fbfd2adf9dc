import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzz } from "./fuzz.js";
import { spawnServer, type ServerProcess } from "./process.js";

let server: ServerProcess;

beforeAll(async () => {
  server = await spawnServer({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-fuzz-")), PORT: "0" });
}, 60_000);

afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exited;
});

describe("fuzzing every socket event and HTTP endpoint", () => {
  it("gets a typed refusal for everything hostile, changes nothing, and keeps serving everyone", async () => {
    // 600 messages take about 3 s on an idle machine; the time bound only keeps a stall finite.
    const result = await runFuzz({ url: server.url, seed: 20261201, messages: 600, durationMs: 45_000 });
    expect(result.sent).toBe(600);
    expect(result.violations).toEqual([]);
    expect(result.cellsAfter).toEqual(result.cellsExpected);
    expect(result.clientsAfter).toEqual(result.clientsExpected);
    expect(result.honestEdits).toBeGreaterThan(2);
    // Generous bounds that only a stall of seconds breaks (a busy CI machine runs other suites too).
    expect(result.worstHealthMs).toBeLessThan(2_500);
    expect(result.worstHonestMs).toBeLessThan(3_000);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
