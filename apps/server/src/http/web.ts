import fs from "node:fs";
import path from "node:path";
import express, { type Router } from "express";

/**
 * Serves the built web app from `dir`, with the history-mode fallback: any other GET that is not
 * a file (`/`, `/s/<id>`) gets index.html and the client router takes over.
 */
export function webRouter(dir: string | null): Router {
  const router = express.Router();
  const index = dir ? path.join(dir, "index.html") : null;
  if (!dir || !index || !fs.existsSync(index)) {
    router.get(/.*/, (_req, res) => {
      res
        .status(503)
        .type("text/plain")
        .send("The web app is not built. Run `pnpm build`, or `pnpm dev` for development.\n");
    });
    return router;
  }
  // Hashed build assets: cached for good; a missing one is a plain 404, never index.html.
  router.use("/assets", express.static(path.join(dir, "assets"), { immutable: true, maxAge: "1y" }), (_req, res) => {
    res.status(404).type("text/plain").send("Not found\n");
  });
  router.use(express.static(dir, { index: false }));
  router.get(/.*/, (_req, res) => {
    res.set("Cache-Control", "no-cache").sendFile(index);
  });
  return router;
}
