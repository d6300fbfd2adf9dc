import { io, type ManagerOptions, type SocketOptions } from "socket.io-client";
import type { SheetSocket } from "./provider.js";

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
    ...options,
  };
  return url === undefined ? io(opts) : io(url, opts);
}
