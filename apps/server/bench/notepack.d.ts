/** notepack.io, the MessagePack codec of socket.io-msgpack-parser (it ships no types). */
declare module "notepack.io" {
  export function encode(value: unknown): Buffer;
  export function decode<T = unknown>(buffer: Uint8Array): T;
}
