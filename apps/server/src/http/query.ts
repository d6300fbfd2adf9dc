import type { Request } from "express";
import { ErrorCode, ProtocolError } from "@cosheet/protocol";

/**
 * A query parameter given at most once, as a string. `?range=A1&range=B2` (or `range[x]=`) is a
 * 400: answering one of them, or the default, would silently answer a question nobody asked.
 */
export function queryParam(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined || typeof value === "string") return value;
  throw new ProtocolError(ErrorCode.BadRequest, `give the query parameter "${name}" once, as plain text`);
}
