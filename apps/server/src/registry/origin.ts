/**
 * Who applied an update to a server-side document. The registry uses it to skip echoes (an
 * update is not sent back to the socket it came from) and to tell edits apart in logs.
 */
export type Origin =
  | { kind: "socket"; socketId: string }
  | { kind: "http" }
  | { kind: "peer" }
  | { kind: "local" };

export const HTTP_ORIGIN: Origin = Object.freeze({ kind: "http" });
export const LOCAL_ORIGIN: Origin = Object.freeze({ kind: "local" });

export function socketOrigin(socketId: string): Origin {
  return { kind: "socket", socketId };
}

export function isOrigin(value: unknown): value is Origin {
  return typeof value === "object" && value !== null && "kind" in value;
}
