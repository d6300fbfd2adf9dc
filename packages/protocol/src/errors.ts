import type { CommentRefusalReason, UpdateProblem } from "@cosheet/sheet";

/** Every error code the server can answer, on the socket and over HTTP. */
export const ErrorCode = {
  BadRequest: "BAD_REQUEST",
  InvalidSheetId: "INVALID_SHEET_ID",
  NotFound: "NOT_FOUND",
  UnsupportedProtocol: "UNSUPPORTED_PROTOCOL",
  NotJoined: "NOT_JOINED",
  /** No valid link secret: none given where the sheet needs one, or one unknown, revoked or expired. */
  Unauthorized: "UNAUTHORIZED",
  /** The request may not do this: from another origin, or its link's role is too low. */
  Forbidden: "FORBIDDEN",
  UpdateTooLarge: "UPDATE_TOO_LARGE",
  MalformedUpdate: "MALFORMED_UPDATE",
  /** A well-formed update that writes something a sheet may not contain (see docs/protocol.md). */
  InvalidContent: "INVALID_CONTENT",
  /** An update that depends on changes the server does not have: the client should sync again. */
  OutOfSync: "OUT_OF_SYNC",
  /** The request's content type is not one the endpoint reads. */
  UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  RateLimited: "RATE_LIMITED",
  InvalidRange: "INVALID_RANGE",
  /** A `tab=` (or a tab in the path) that names no tab of the workbook, by id or name. */
  UnknownTab: "UNKNOWN_TAB",
  /** A tab change refused: a name that is not one or is taken, deleting the last tab, too many tabs. */
  InvalidTab: "INVALID_TAB",
  InvalidCsv: "INVALID_CSV",
  InvalidXlsx: "INVALID_XLSX",
  ImportTooLarge: "IMPORT_TOO_LARGE",
  /** A sheet too large for the format asked for (see `LIMITS.maxXlsxExportCells`). */
  ExportTooLarge: "EXPORT_TOO_LARGE",
  Unavailable: "UNAVAILABLE",
  Internal: "INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The wire's code for each reason the sheet's validator refuses an update. */
export const UPDATE_ERROR_CODES: Readonly<Record<UpdateProblem, ErrorCode>> = {
  malformed: ErrorCode.MalformedUpdate,
  content: ErrorCode.InvalidContent,
  pending: ErrorCode.OutOfSync,
  forbidden: ErrorCode.Forbidden,
};

/** The wire's code for each reason a comment event is refused. */
export const COMMENT_ERROR_CODES: Readonly<Record<CommentRefusalReason, ErrorCode>> = {
  gone: ErrorCode.NotFound,
  "not-yours": ErrorCode.Forbidden,
  full: ErrorCode.InvalidContent,
  invalid: ErrorCode.BadRequest,
};

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** With `RATE_LIMITED`: how long to wait before sending again. */
  retryAfterMs?: number;
}

/** The one ack envelope of every acknowledged event. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An error that carries a wire code; the transport edges turn it into an ack or HTTP error. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

export function ok<T>(data: T): Ack<T> {
  return { ok: true, data };
}

export function fail(code: ErrorCode, message: string): Ack<never> {
  return { ok: false, error: { code, message } };
}
