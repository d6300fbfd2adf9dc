import { io, type ManagerOptions, type SocketOptions } from "socket.io-client";
import * as msgpackParser from "socket.io-msgpack-parser";
import type { SheetSocket } from "./provider.js";

/**
 * The Socket.IO packet encoding of both ends: MessagePack, so an event with a binary payload is
 * one WebSocket frame instead of a JSON frame plus a binary attachment frame. That halves the
 * frames a broadcast writes per client and what each client decodes.
 */
export const wireParser = msgpackParser;

/**
 * Opens a Socket.IO connection for sheet providers, with reconnection by exponential backoff
 * (0.5 s doubling to 10 s) and ±50 % jitter, so a restarted server is not hit by every client at
 * once. WebSocket only: no long-polling fallback, so no sticky sessions are needed behind a load
 * balancer. `url` defaults to the page's origin in a browser.
 */
export function connectSocket(url?: string, options: Partial<ManagerOptions & SocketOptions> = {}): SheetSocket {
  const opts = {
    transports: ["websocket"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
    parser: wireParser,
    ...options,
  };
  return url === undefined ? io(opts) : io(url, opts);
}
