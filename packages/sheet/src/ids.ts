const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A random URL-safe id of `length` characters (6 bits each) from the platform CSPRNG, usable in
 * the browser and in Node alike.
 */
export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let id = "";
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}

/**
 * Row and column ids: 8 characters (48 bits). They only need to be unique within one sheet; a
 * new id is also checked against the ids the sheet already has.
 */
export const AXIS_ID_LENGTH = 8;
