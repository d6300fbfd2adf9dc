/**
 * Who applied an update to a server-side document. The registry uses it to skip echoes (an
 * update is not sent back to the socket it came from), to tell edits apart in logs, and to stamp
 * each stored update with who made it (see `UpdateMeta`).
 */
export type Origin =
  | { kind: "socket"; socketId: string; linkId: string | null }
  | { kind: "http"; linkId: string | null }
  /** A comment the server writes for a socket, which (unlike its own updates) it is sent back. */
  | { kind: "comment"; socketId: string; linkId: string | null }
  /** A version restored by someone: `author` is their name, if they gave one. */
  | { kind: "restore"; author: string; linkId: string | null }
  /** An update another node stored, read from the log or its message: relayed here, not stored again. */
  | { kind: "stored" }
  | { kind: "local" };

export const LOCAL_ORIGIN: Origin = Object.freeze({ kind: "local" });

export const STORED_ORIGIN: Origin = Object.freeze({ kind: "stored" });

export function socketOrigin(socketId: string, linkId: string | null): Origin {
  return { kind: "socket", socketId, linkId };
}

export function httpOrigin(linkId: string | null): Origin {
  return { kind: "http", linkId };
}

export function isOrigin(value: unknown): value is Origin {
  return typeof value === "object" && value !== null && "kind" in value;
}
