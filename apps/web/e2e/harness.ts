import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { parseCell } from "@cosheet/sheet";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverEntry = path.resolve(webDir, "../server/dist/index.js");

/** Debian's Chromium; browsers are never downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface E2EServer {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The built server (apps/server/dist) serving the built web app; on a fresh data dir and port
 * unless given (a restart passes the old ones), with `env` added to its environment.
 */
export async function startServer(reuse?: { port: number; dataDir: string }, env: Record<string, string> = {}): Promise<E2EServer> {
  for (const file of [serverEntry, path.join(webDir, "dist/index.html")]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the build first`);
  }
  const port = reuse?.port ?? (await freePort());
  const dataDir = reuse?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-e2e-"));
  const child: ChildProcess = spawn(process.execPath, [serverEntry], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, WEB_DIR: path.join(webDir, "dist"), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    dataDir,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "cosheet-chromium-"));
  process.env.XDG_CONFIG_HOME ??= profile;
  process.env.XDG_CACHE_HOME ??= profile;
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The owner secret of each sheet the tests made through the API, as the browser that made it keeps it. */
const ownerSecrets = new Map<string, string>();

export function ownerSecret(id: string): string {
  const secret = ownerSecrets.get(id);
  if (!secret) throw new Error(`no sheet ${id} was made by these tests`);
  return secret;
}

/** The Authorization header of a sheet's owner, for the API. */
export function asOwner(id: string): Record<string, string> {
  return { authorization: `Bearer ${ownerSecret(id)}` };
}

export async function createSheet(url: string, title: string): Promise<string> {
  const res = await fetch(`${url}/api/sheets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  const { id, secret } = (await res.json()) as { id: string; secret: string };
  ownerSecrets.set(id, secret);
  return id;
}

/** The grid cell at an A1 address (rendered only while it is in view). */
export function cell(page: Page, a1: string): Locator {
  const { row, col } = parseCell(a1);
  return page.locator(`[role=row][aria-rowindex="${row + 2}"] > [role=gridcell][aria-colindex="${col + 2}"]`);
}

/** What a grid cell shows, trimmed ("" when empty). */
export function shown(page: Page, a1: string): Promise<string> {
  return cell(page, a1)
    .textContent()
    .then((t) => (t ?? "").trim());
}

/** Clicks a cell, types text and presses Enter, as a user does. */
export async function typeInto(page: Page, a1: string, text: string): Promise<void> {
  await cell(page, a1).click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/** What a copy puts on the clipboard. */
export interface Copied {
  text: string;
  html?: string;
}

/** Dispatches a copy (or a cut) on the focused element, as the browser does for Ctrl+C (Ctrl+X); answers what it put on the clipboard. */
export async function copy(page: Page, type: "copy" | "cut" = "copy"): Promise<Required<Copied>> {
  return page.evaluate((event) => {
    const data = new DataTransfer();
    document.activeElement!.dispatchEvent(new ClipboardEvent(event, { clipboardData: data, bubbles: true }));
    return { text: data.getData("text/plain"), html: data.getData("text/html") };
  }, type);
}

/** Dispatches a paste of plain text (or of what a copy put on the clipboard) on the focused element, as the browser does for Ctrl+V. */
export async function paste(page: Page, pasted: string | Copied): Promise<void> {
  const { text, html } = typeof pasted === "string" ? { text: pasted, html: undefined } : pasted;
  await page.evaluate(([t, h]) => {
    const data = new DataTransfer();
    data.setData("text/plain", t!);
    if (h !== undefined) data.setData("text/html", h);
    document.activeElement!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
  }, [text, html] as const);
}

/**
 * Opens a sheet and waits until it is synced: with `secret` (by default the sheet's owner secret),
 * as a link does; `null` opens the address without one (the page then uses the links it remembers).
 */
export async function openSheet(page: Page, url: string, id: string, secret: string | null = ownerSecret(id)): Promise<void> {
  await page.goto(secret === null ? `${url}/s/${id}` : `${url}/s/${id}#k=${secret}`);
  await page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
}

export interface E2ESuite {
  server: E2EServer;
  browser: Browser;
  /** Opens a browser context (a separate person: separate storage), closed after the test. */
  newContext(): Promise<BrowserContext>;
  /**
   * A separate person (a new context) with a sheet open and synced; with `identity`, the name and
   * colour their browser remembers from an earlier visit.
   */
  person(id: string, identity?: { name: string; color: string }): Promise<Page>;
  /** A new sheet, opened by a separate person with the grid focused. */
  newSheet(title: string): Promise<Page>;
}

/** Registers the hooks of a browser test file: one server and one Chromium for the file. */
export function e2eSuite(): E2ESuite {
  const contexts: BrowserContext[] = [];
  const suite = {
    async newContext() {
      const context = await suite.browser.newContext();
      contexts.push(context);
      return context;
    },
    async person(id: string, identity?: { name: string; color: string }) {
      const context = await suite.newContext();
      if (identity) await context.addInitScript((saved) => localStorage.setItem("cosheet:identity", saved), JSON.stringify(identity));
      const page = await context.newPage();
      await openSheet(page, suite.server.url, id);
      return page;
    },
    async newSheet(title: string) {
      const page = await suite.person(await createSheet(suite.server.url, title));
      await page.getByRole("grid").focus();
      return page;
    },
  } as E2ESuite;
  beforeAll(async () => {
    suite.server = await startServer();
    suite.browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}
