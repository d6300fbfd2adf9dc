/**
 * What a link lets its holder do, from least to most: `view` reads the sheet and shares presence;
 * `comment` also writes the chat; `edit` changes anything in the sheet; `owner` also manages the
 * sheet's links.
 */
export const ROLES = ["view", "comment", "edit", "owner"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` gives at least what `needed` does. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The parameter of a sheet address's fragment that carries a link's secret: `/s/<id>#k=<secret>`. */
export const SECRET_PARAM = "k";

/** A sheet link's address (relative to the app, or under `base`), with its secret in the fragment. */
export function sheetLink(sheetId: string, secret: string, base = ""): string {
  return `${base}/s/${sheetId}#${SECRET_PARAM}=${secret}`;
}

/** The secret in an address's fragment (`#k=...`, with or without the `#`), if there is one. */
export function secretOf(hash: string): string | undefined {
  const value = new URLSearchParams(hash.replace(/^#/, "")).get(SECRET_PARAM);
  return value && SECRET_PATTERN.test(value) ? value : undefined;
}

/** A link secret: 32 URL-safe characters, 192 random bits. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{32}$/;
