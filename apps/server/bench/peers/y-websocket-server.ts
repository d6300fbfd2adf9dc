/**
 * y-websocket's server as it runs in production, for the comparison in ../compare.ts: its
 * connection handler with its LevelDB persistence (`YPERSISTENCE`, set by the caller before this
 * module loads). Prints `{"port":N}` once listening; SIGTERM closes the database and exits.
 */
import http from "node:http";
import { getPersistence, setupWSConnection } from "@y/websocket-server/utils";
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ noServer: true });
wss.on("connection", setupWSConnection);
const server = http.createServer((_req, res) => res.end("okay"));
server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req)));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as { port: number }).port }));
});
process.on("SIGTERM", () => {
  const leveldb = getPersistence() as { provider: { destroy(): Promise<void> } } | null;
  void (leveldb?.provider.destroy() ?? Promise.resolve()).then(() => process.exit(0));
});
