import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { ErrorCode, ProtocolError, type ErrorCode as Code } from "@cosheet/protocol";

const STATUS: Record<Code, number> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.InvalidSheetId]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.UnsupportedProtocol]: 400,
  [ErrorCode.NotJoined]: 409,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.UpdateTooLarge]: 413,
  [ErrorCode.MalformedUpdate]: 400,
  [ErrorCode.InvalidContent]: 400,
  [ErrorCode.OutOfSync]: 409,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InvalidRange]: 400,
  [ErrorCode.UnknownTab]: 404,
  [ErrorCode.InvalidTab]: 400,
  [ErrorCode.InvalidCsv]: 400,
  [ErrorCode.InvalidXlsx]: 400,
  [ErrorCode.ImportTooLarge]: 413,
  [ErrorCode.ExportTooLarge]: 413,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
};

/** Body-parser errors carry a `type` and a `status`; a malformed URL escape is a URIError. */
function parserError(err: unknown): ProtocolError | null {
  if (err instanceof URIError) return new ProtocolError(ErrorCode.BadRequest, "malformed URL: a %-escape is not valid");
  const type = (err as { type?: unknown }).type;
  if (type === "entity.too.large") return new ProtocolError(ErrorCode.ImportTooLarge, "request body too large");
  if (type === "entity.parse.failed") return new ProtocolError(ErrorCode.BadRequest, "malformed JSON body");
  if (typeof type === "string" && (err as { status?: number }).status === 400) {
    return new ProtocolError(ErrorCode.BadRequest, "unreadable request body");
  }
  return null;
}

/** Every error leaves as `{"error": {"code", "message"}}` with its status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof ProtocolError ? err : parserError(err);
    if (known) {
      if (known.code === ErrorCode.Unauthorized) res.set("WWW-Authenticate", 'Bearer realm="cosheet"');
      if (known.retryAfterMs !== undefined) res.set("Retry-After", String(Math.ceil(known.retryAfterMs / 1000)));
      res.status(STATUS[known.code]).json({ error: known.toBody() });
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, "request failed");
    res.status(500).json({ error: { code: ErrorCode.Internal, message: "internal error" } });
  };
}
