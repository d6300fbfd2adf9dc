import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { ErrorCode, ProtocolError } from "@cosheet/protocol";

/**
 * Whether a request may act on this server: one without an `Origin` header (a script, a bot, a
 * same-origin navigation), one from this server's own origin, or one from a listed origin. Anything
 * else comes from another site's page, which must not act with the visitor's network position.
 */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Refuses state-changing requests from other origins (`FORBIDDEN`, 403) unless listed. */
export function sameOriginWrites(allowed: ReadonlySet<string>): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || originAllowed(req, allowed)) return next();
    next(new ProtocolError(ErrorCode.Forbidden, "requests from this origin may not change sheets (see ALLOWED_ORIGINS)"));
  };
}
