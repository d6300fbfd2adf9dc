/**
 * A slow network link between a client and a server on this machine: a TCP proxy that lets
 * through at most a given bandwidth each way, and delays everything by half the round trip.
 */
import net from "node:net";

export interface LinkShape {
  megabitsPerSecond: number;
  roundTripMs: number;
}

/** A link as a home or mobile connection may be: 20 Mbit/s, 40 ms there and back. */
export const SLOW_LINK: LinkShape = { megabitsPerSecond: 20, roundTripMs: 40 };

export interface ShapedLink {
  /** The proxy's http://127.0.0.1:port, to use instead of the server's. */
  url: string;
  close(): Promise<void>;
}

/**
 * One direction of the link: each chunk leaves once those before it have, plus its own time on
 * the wire at the link's bandwidth, plus half the round trip. Ordered: the times never decrease.
 */
function shaper(to: net.Socket, shape: LinkShape): (chunk: Buffer) => void {
  const bytesPerMs = (shape.megabitsPerSecond * 1e6) / 8 / 1000;
  let wireFreeAt = 0;
  return (chunk) => {
    const now = performance.now();
    wireFreeAt = Math.max(now, wireFreeAt) + chunk.byteLength / bytesPerMs;
    setTimeout(() => to.destroyed || to.write(chunk), wireFreeAt - now + shape.roundTripMs / 2);
  };
}

export async function shapedLink(serverUrl: string, shape: LinkShape): Promise<ShapedLink> {
  const target = new URL(serverUrl);
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port), target.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        server.destroy();
      });
    }
    client.on("data", shaper(server, shape));
    server.on("data", shaper(client, shape));
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}
