import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { ErrorCode, ProtocolError } from "@cosheet/protocol";

export interface OriginPolicy {
  /** Other origins whose pages may act here (`ALLOWED_ORIGINS`). */
  allowed: ReadonlySet<string>;
  /** A reverse proxy in front sets X-Forwarded-Host to the host the browser asked for. */
  trustProxy: boolean;
  /** The one host this server answers for (`PUBLIC_URL`), if set. */
  publicHost?: string;
}

/** The last value of a header a proxy may have appended to. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(",") : header;
  return joined?.split(",").at(-1)?.trim() || undefined;
}

/**
 * Whether a request may act on this server: one without an `Origin` header (a script, a bot, a
 * same-origin navigation), one the browser itself marks as same-origin (`Sec-Fetch-Site`, which no
 * page can forge), one whose Origin names the host it was sent to (behind a trusted proxy, the
 * host the proxy was asked for), or one from a listed origin. Anything else comes from another
 * site's page, which must not act with its visitor's network position.
 */
export function originAllowed(req: IncomingMessage, policy: OriginPolicy): boolean {
  if (!hostAllowed(req, policy)) return false;
  const origin = req.headers.origin;
  if (origin === undefined || policy.allowed.has(origin) || req.headers["sec-fetch-site"] === "same-origin") return true;
  const host = requestHost(req, policy);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The host a request was sent to: behind a trusted proxy, the one the proxy was asked for. */
function requestHost(req: IncomingMessage, { trustProxy }: OriginPolicy): string | undefined {
  return (trustProxy ? lastValue(req.headers["x-forwarded-host"]) : undefined) ?? req.headers.host;
}

/**
 * With `PUBLIC_URL` set, only requests sent to its host are served. A page whose own domain was
 * made to resolve to this server (DNS rebinding) sends its own domain as the host, and its Origin
 * matches it, so nothing else tells it apart.
 */
export function hostAllowed(req: IncomingMessage, policy: OriginPolicy): boolean {
  return policy.publicHost === undefined || requestHost(req, policy)?.toLowerCase() === policy.publicHost;
}

/** Refuses every request sent to another host than `PUBLIC_URL`'s (`FORBIDDEN`, 403). */
export function publicHostOnly(policy: OriginPolicy): RequestHandler {
  return (req, _res, next) => {
    if (hostAllowed(req, policy)) return next();
    next(new ProtocolError(ErrorCode.Forbidden, `this server answers for ${policy.publicHost} only (PUBLIC_URL)`));
  };
}

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Refuses state-changing requests from other origins (`FORBIDDEN`, 403) unless listed. */
export function sameOriginWrites(policy: OriginPolicy): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || originAllowed(req, policy)) return next();
    next(new ProtocolError(ErrorCode.Forbidden, "requests from this origin may not change sheets (see ALLOWED_ORIGINS)"));
  };
}
