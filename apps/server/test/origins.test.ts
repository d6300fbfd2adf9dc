import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSocket, ErrorCode } from "@cosheet/protocol";
import { loadConfig } from "../src/config.js";
import { startServer, type TestServer } from "./helpers.js";

let server: TestServer;
const friend = "https://intranet.example";

beforeAll(async () => {
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-web-"));
  fs.writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Cosheet</title>");
  server = await startServer({ webDir, allowedOrigins: [friend] });
});

afterAll(async () => {
  await server.close();
});

function create(origin?: string) {
  return fetch(`${server.url}/api/sheets`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: "{}",
  });
}

/** Whether a socket with this Origin header gets connected. */
function connects(origin: string): Promise<boolean> {
  const socket = connectSocket(server.url, { forceNew: true, reconnection: false, extraHeaders: { origin } });
  return new Promise((resolve) => {
    socket.once("connect", () => resolve(true));
    socket.once("connect_error", () => resolve(false));
  }).finally(() => socket.disconnect()) as Promise<boolean>;
}

describe("origins and security headers", () => {
  it("serves the app and the API with a Content-Security-Policy, no framing and no Referer", async () => {
    for (const url of ["/", "/s/abc", "/api/sheets/short"]) {
      const res = await fetch(`${server.url}${url}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      await res.text();
    }
  });

  it("refuses changes from another site's pages, and takes them from the app, scripts and listed origins", async () => {
    const foreign = await create("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.Forbidden);
    expect((await create(server.url)).status).toBe(201);
    expect((await create()).status).toBe(201);
    expect((await create(friend)).status).toBe(201);
    expect((await fetch(`${server.url}/healthz`, { headers: { origin: "https://evil.example" } })).status).toBe(200);
  });

  it("opens sockets for the app's origin and listed ones only", async () => {
    expect(await connects("https://evil.example")).toBe(false);
    expect(await connects(server.url)).toBe(true);
    expect(await connects(friend)).toBe(true);
  });

  it("reads ALLOWED_ORIGINS, and stops at a value that is not a list of origins", () => {
    expect(loadConfig({ ALLOWED_ORIGINS: "https://a.example, http://b.example:8080" }, "/web").allowedOrigins).toEqual([
      "https://a.example",
      "http://b.example:8080",
    ]);
    expect(loadConfig({}, "/web").allowedOrigins).toEqual([]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: "https://a.example/path" }, "/web")).toThrow(/ALLOWED_ORIGINS/);
  });

  it("limits the sheets one address creates per minute, with a Retry-After", async () => {
    const limited = await startServer({ sheetsPerMinute: 3 });
    try {
      const made = [];
      for (let i = 0; i < 4; i++) made.push(await fetch(`${limited.url}/api/sheets`, { method: "POST" }));
      expect(made.map((r) => r.status)).toEqual([201, 201, 201, 429]);
      expect(Number(made[3]!.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await made[3]!.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.RateLimited);
    } finally {
      await limited.close();
    }
  });

  it("behind a trusted proxy, takes the host the browser asked for; the browser's own same-origin mark too", async () => {
    const proxied = await startServer({ trustProxy: true });
    try {
      const post = (url: string, headers: Record<string, string>) => fetch(`${url}/api/sheets`, { method: "POST", headers });
      const asked = { origin: "https://sheets.example", "x-forwarded-host": "sheets.example" };
      expect((await post(proxied.url, asked)).status).toBe(201);
      expect((await post(proxied.url, { ...asked, "x-forwarded-host": "other.example" })).status).toBe(403);
      // Not trusted: the header is anyone's to send.
      expect((await post(server.url, asked)).status).toBe(403);
      expect((await post(server.url, { origin: "https://sheets.example", "sec-fetch-site": "same-origin" })).status).toBe(201);
      expect((await post(server.url, { origin: "https://sheets.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    } finally {
      await proxied.close();
    }
  });

  it("with PUBLIC_URL, answers only requests sent to its host (no DNS rebinding), health at any host", async () => {
    const pinned = await startServer({ publicUrl: "https://sheets.example", trustProxy: true });
    try {
      const get = (path: string, host: string, init: RequestInit = {}) =>
        fetch(`${pinned.url}${path}`, { ...init, headers: { "x-forwarded-host": host, ...(init.headers as object) } });
      expect((await get("/api/sheets", "sheets.example", { method: "POST" })).status).toBe(201);
      const rebound = await get("/api/sheets", "evil.example", { method: "POST", headers: { origin: "https://evil.example" } });
      expect(rebound.status).toBe(403);
      expect(((await rebound.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.Forbidden);
      expect((await get("/", "evil.example")).status).toBe(403);
      expect((await get("/healthz", "10.0.0.7:3000")).status).toBe(200);
      const socketAt = (host: string) => {
        const socket = connectSocket(pinned.url, { forceNew: true, reconnection: false, extraHeaders: { origin: `https://${host}`, "x-forwarded-host": host } });
        return new Promise<boolean>((resolve) => {
          socket.once("connect", () => resolve(true));
          socket.once("connect_error", () => resolve(false));
        }).finally(() => socket.disconnect());
      };
      expect(await socketAt("evil.example")).toBe(false);
      expect(await socketAt("sheets.example")).toBe(true);
      expect(loadConfig({ PUBLIC_URL: "https://sheets.example/" }, "/web").publicUrl).toBe("https://sheets.example");
      expect(() => loadConfig({ PUBLIC_URL: "sheets.example" }, "/web")).toThrow(/PUBLIC_URL/);
    } finally {
      await pinned.close();
    }
  });
});
