const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A random URL-safe id of `length` characters (6 bits each) from the platform CSPRNG, usable in
 * the browser and in Node alike.
 */
export function randomId(length: number): string {
  return randomIds(1, length)[0]!;
}

/** Most bytes one `getRandomValues` call may fill (the Web Crypto quota). */
const RANDOM_QUOTA = 65_536;

/** An id of one URL-safe character per byte (its low 6 bits): of random bytes, or of a digest. */
export function idOfBytes(bytes: Uint8Array): string {
  let id = "";
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}

/**
 * `count` random ids of `length` characters. The randomness is drawn in blocks: one call per id
 * made growing a sheet by a million rows take seconds.
 */
export function randomIds(count: number, length: number): string[] {
  const ids: string[] = [];
  const perBlock = Math.max(1, Math.floor(RANDOM_QUOTA / length));
  const bytes = new Uint8Array(Math.min(count, perBlock) * length);
  while (ids.length < count) {
    crypto.getRandomValues(bytes);
    const n = Math.min(count - ids.length, perBlock);
    for (let i = 0; i < n; i++) ids.push(idOfBytes(bytes.subarray(i * length, (i + 1) * length)));
  }
  return ids;
}

/**
 * Row and column ids: 8 characters (48 bits). They only need to be unique within one sheet; a
 * new id is also checked against the ids the sheet already has.
 */
export const AXIS_ID_LENGTH = 8;
