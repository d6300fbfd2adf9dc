import { idOfBytes, randomId } from "@cosheet/sheet";

/**
 * Who wrote a comment, without accounts: each browser keeps a random person key and sends it when
 * it joins a sheet; the server stamps each comment with the key's id in that sheet, a hash only
 * the key's holder can produce. Only that holder may then edit or delete the comment. The id
 * differs from sheet to sheet, so comments in two sheets do not tell they are by one person.
 */

/** A new person key: 32 URL-safe characters (192 random bits). */
export function newPersonKey(): string {
  return randomId(32);
}

/** The id a person key stands for in one sheet: 22 URL-safe characters of SHA-256 (132 bits). */
export async function personId(sheetId: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${sheetId}:${key}`));
  return idOfBytes(new Uint8Array(digest, 0, 22));
}
