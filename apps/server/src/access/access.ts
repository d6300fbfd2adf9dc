import { createHash, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { ErrorCode, LIMITS, ProtocolError, SECRET_PATTERN, type LinkInfo, type Role } from "@cosheet/protocol";
import { randomId } from "@cosheet/sheet";
import type { Relay } from "../relay/relay.js";
import { UnknownSheetError, type NewSheetAccess, type Storage, type StoredLink } from "../storage/storage.js";
import { RateLimiter } from "../transport/rate-limit.js";

/** What one join or request may do in a sheet, and through which link. */
export interface Grant {
  role: Role;
  /** The link it came through; null for the sheet's plain address. */
  linkId: string | null;
  /** When that link stops giving access; null for never. */
  expiresAt: number | null;
}

/** Why sockets lose access to a sheet: one of its links went, or its plain address was switched off. */
export interface AccessClosed {
  sheetId: string;
  /** The link revoked; null for the plain address. */
  linkId: string | null;
}

/** What gives access to a sheet, as the storage said when asked at `asOf` (performance.now()). */
export interface AccessLive {
  sheetId: string;
  plainAddress: boolean;
  links: readonly string[];
  asOf: number;
}

/** A new link's secret: 24 bytes from the CSPRNG (192 bits) as 32 URL-safe characters. */
export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * What is stored of a secret. A plain SHA-256 is enough: the secrets are random and long, so
 * there is nothing to guess from a stolen hash, and a lookup by hash costs one index probe.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** How often a link's "last used" time is written: at most once a minute per link. */
const TOUCH_EVERY_MS = 60_000;

export const UNKNOWN_LINK = "this link does not give access to the sheet: it may have been revoked or have expired";
export const LINK_NEEDED = "this sheet opens only through a link: ask its owner to share one";

/** A link as its sheet's owners see it. */
export function linkInfo(link: StoredLink, now = Date.now()): LinkInfo {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: link.id,
    role: link.role,
    label: link.label,
    createdAt: new Date(link.createdAt).toISOString(),
    expiresAt: iso(link.expiresAt),
    lastUsedAt: iso(link.lastUsedAt),
    expired: link.expiresAt !== null && link.expiresAt <= now,
  };
}

export interface AccessOptions {
  storage: Storage;
  logger: Logger;
  /** Failed secrets one address may try per minute. */
  failedSecretsPerMinute: number;
  /** The other nodes, told when access goes so that they drop their sockets too. */
  relay: Relay | null;
}

/**
 * Who may do what in a sheet: turns a secret (or none) into a {@link Grant}, manages a sheet's
 * links, and tells the transports when access goes (see {@link onClosed}) so they drop the
 * sockets that had it. The transports enforce the grant on every event and request.
 */
export class Access {
  private readonly storage: Storage;
  private readonly logger: Logger;
  private readonly failures: RateLimiter;
  private readonly closed = new EventEmitter<{ closed: [AccessClosed]; live: [AccessLive] }>();
  private readonly relay: Relay | null;

  constructor(options: AccessOptions) {
    this.storage = options.storage;
    this.logger = options.logger;
    this.relay = options.relay;
    const perMinute = options.failedSecretsPerMinute;
    this.failures = new RateLimiter({ perSecond: perMinute / 60, burst: perMinute });
  }

  /**
   * The grant of `secret` (or of the plain address, without one) in a sheet, for a client at
   * `address`. Throws NOT_FOUND for an unknown sheet, UNAUTHORIZED for a secret that is not one of
   * the sheet's live links or a plain address that gives nothing, and RATE_LIMITED instead once
   * the address has failed too often. A live secret is never refused: a neighbour behind the same
   * address who keeps trying wrong ones cannot lock anyone out (and secrets cannot be guessed).
   */
  async grant(sheetId: string, secret: string | undefined, address: string): Promise<Grant> {
    const wellFormed = secret !== undefined && SECRET_PATTERN.test(secret);
    const access = await this.storage.access(sheetId, wellFormed ? hashSecret(secret) : null);
    if (!access) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
    if (secret === undefined) {
      if (!access.plainAddress) throw new ProtocolError(ErrorCode.Unauthorized, LINK_NEEDED);
      return { role: "edit", linkId: null, expiresAt: null };
    }
    const link = wellFormed ? access.link : null;
    const now = Date.now();
    if (!link || (link.expiresAt !== null && link.expiresAt <= now)) {
      // Counted after the lookup, in the same turn as the answer: a burst is counted whole.
      const wait = this.failures.take(address);
      if (wait > 0) throw new ProtocolError(ErrorCode.RateLimited, "too many wrong links from this address; wait a minute", wait);
      throw new ProtocolError(ErrorCode.Unauthorized, UNKNOWN_LINK);
    }
    if (link.lastUsedAt === null || now - link.lastUsedAt >= TOUCH_EVERY_MS) {
      this.storage
        .touchLink(sheetId, link.id, now)
        .catch((err: unknown) => this.logger.warn({ err, sheetId }, "could not record a link's use"));
    }
    return { role: link.role, linkId: link.id, expiresAt: link.expiresAt };
  }

  /** A new link's stored form and its secret, which is shown once and never kept. */
  newLink(sheetId: string, role: Role, label = "", expiresAt: number | null = null): { link: StoredLink; secret: string } {
    const secret = newSecret();
    const link: StoredLink = {
      id: randomId(12),
      sheetId,
      secretHash: hashSecret(secret),
      role,
      label,
      createdAt: Date.now(),
      expiresAt,
      lastUsedAt: null,
    };
    return { link, secret };
  }

  /** How a new sheet starts: no plain address, one owner link (whose secret goes to its creator). */
  newSheet(sheetId: string): { access: NewSheetAccess; link: StoredLink; secret: string } {
    const { link, secret } = this.newLink(sheetId, "owner", "Creator");
    return { access: { plainAddress: false, links: [link] }, link, secret };
  }

  async links(sheetId: string): Promise<{ plainAddress: boolean; links: StoredLink[] }> {
    const access = await this.storage.access(sheetId, null);
    if (!access) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
    return { plainAddress: access.plainAddress, links: await this.storage.listLinks(sheetId) };
  }

  /** Adds a link to a sheet; throws past `LIMITS.maxLinksPerSheet`. */
  async createLink(sheetId: string, role: Role, label?: string, expiresAt?: number): Promise<{ link: StoredLink; secret: string }> {
    if (expiresAt !== undefined && expiresAt <= Date.now()) {
      throw new ProtocolError(ErrorCode.BadRequest, "expiresAt: give a time in the future");
    }
    const existing = await this.storage.listLinks(sheetId).catch(notFound);
    if (existing.length >= LIMITS.maxLinksPerSheet) {
      throw new ProtocolError(ErrorCode.BadRequest, `a sheet has at most ${LIMITS.maxLinksPerSheet} links; revoke some first`);
    }
    const made = this.newLink(sheetId, role, label ?? "", expiresAt ?? null);
    await this.storage.addLink(made.link).catch(notFound);
    return made;
  }

  /** Revokes a link: it gives nothing from now on, and every socket that joined with it is dropped. */
  async revoke(sheetId: string, linkId: string): Promise<void> {
    const links = await this.storage.listLinks(sheetId).catch(notFound);
    const link = links.find((l) => l.id === linkId);
    const now = Date.now();
    const live = (l: StoredLink) => l.expiresAt === null || l.expiresAt > now;
    // Another owner link must last at least as long as this one would have.
    const outlasts = (l: StoredLink) => l.expiresAt === null || (link!.expiresAt !== null && l.expiresAt >= link!.expiresAt);
    if (link?.role === "owner" && live(link) && !links.some((l) => l !== link && l.role === "owner" && outlasts(l))) {
      throw new ProtocolError(ErrorCode.BadRequest, "this is the sheet's last owner link: make another owner link before revoking it");
    }
    if (!link || !(await this.storage.removeLink(sheetId, linkId))) {
      throw new ProtocolError(ErrorCode.NotFound, "this sheet has no such link");
    }
    this.close(sheetId, linkId);
  }

  /** Switches the plain address's edit access; switching it off drops the sockets that used it. */
  async setPlainAddress(sheetId: string, enabled: boolean): Promise<void> {
    await this.storage.setPlainAddress(sheetId, enabled).catch(notFound);
    if (!enabled) this.close(sheetId, null);
  }

  /** Access through a link (null: the plain address) went: here, and on the other nodes. */
  private close(sheetId: string, linkId: string | null): void {
    this.closed.emit("closed", { sheetId, linkId });
    this.relay?.publish(sheetId, { type: "closed", linkId });
  }

  /** Another node says access through a link (null: the plain address) went. */
  closedElsewhere(sheetId: string, linkId: string | null): void {
    this.closed.emit("closed", { sheetId, linkId });
  }

  /** What gives access to a sheet now, as the storage says: whatever else gave it no longer does. */
  liveElsewhere(live: AccessLive): void {
    this.closed.emit("live", live);
  }

  /**
   * Calls `closed` whenever access to a sheet is taken away, and `live` with what gives access to
   * a sheet now (from the storage, in case the message that said access went was lost).
   */
  onClosed(closed: (closed: AccessClosed) => void, live: (live: AccessLive) => void): void {
    this.closed.on("closed", closed);
    this.closed.on("live", live);
  }
}

function notFound(err: unknown): never {
  if (err instanceof UnknownSheetError) throw new ProtocolError(ErrorCode.NotFound, "no sheet with this id");
  throw err;
}
