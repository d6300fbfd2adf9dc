import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { ErrorCode, LIMITS, ProtocolError } from "@cosheet/protocol";
import { safeColor, UpdateError } from "@cosheet/sheet";

/**
 * Most awareness client ids one socket may speak for in one sheet. A tab speaks for one (its
 * document's); the rest is room for a client that keeps a few documents on one socket, while a
 * single socket still cannot fill a sheet with made-up people.
 */
export const MAX_CLIENTS_PER_SOCKET = 4;

/** The name shown for a person who shares none. */
export const DEFAULT_NAME = "Anonymous";

/** Row and column ids as a sheet makes them, with room to spare. */
const CELL_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * What a name may not carry: control characters (line breaks, escapes) and the bidirectional
 * controls that make a name read differently from what it is.
 */
const NAME_JUNK = /[\p{Cc}\p{Bidi_Control}]/gu;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A cell named by its row and column ids, as the web app shares its cursor and anchor. */
export interface PresenceCell {
  rowId: string;
  colId: string;
}

/** A presence state as the server relays it: only the fields the web app reads, each one safe. */
export interface PresenceState {
  user?: { name: string; color: string };
  /** The tab the cursor is on (none: the first). */
  tab?: string;
  cursor?: PresenceCell | null;
  anchor?: PresenceCell | null;
}

/** One client's entry in an awareness update; a null state removes that client. */
export interface PresenceEntry {
  clientId: number;
  clock: number;
  state: PresenceState | null;
}

function refuse(message: string): never {
  throw new ProtocolError(ErrorCode.BadRequest, message);
}

/** A display name: a string without control characters, trimmed and cut to the limit. */
function displayName(value: unknown): string {
  if (typeof value !== "string") return DEFAULT_NAME;
  const name = [...value.replace(NAME_JUNK, "").trim()].slice(0, LIMITS.maxNameLength).join("").trimEnd();
  return name || DEFAULT_NAME;
}

/** A cursor or anchor: null, or a cell of well-formed ids; anything else is not one. */
function cell(value: unknown): PresenceCell | null | undefined {
  if (value === null) return null;
  const { rowId, colId } = (value ?? {}) as Record<string, unknown>;
  if (typeof rowId !== "string" || typeof colId !== "string") return undefined;
  return CELL_ID.test(rowId) && CELL_ID.test(colId) ? { rowId, colId } : undefined;
}

/**
 * Clamps a client's presence state to the forms every reader can show as they are: a user gets a
 * clean name and a `#rrggbb` colour, a cursor or anchor that is not a cell (or a tab that is not
 * an id) is dropped, and every
 * other field is dropped, so nothing a client makes up reaches other people's pages.
 */
export function normalizePresenceState(state: object): PresenceState {
  const { user, cursor, anchor, tab } = state as Record<string, unknown>;
  const normal: PresenceState = {};
  if (user !== undefined) {
    const { name, color } = (user ?? {}) as Record<string, unknown>;
    normal.user = { name: displayName(name), color: safeColor(color) };
  }
  const cursorCell = cell(cursor);
  if (typeof tab === "string" && CELL_ID.test(tab)) normal.tab = tab;
  if (cursorCell !== undefined) normal.cursor = cursorCell;
  const anchorCell = cell(anchor);
  if (anchorCell !== undefined) normal.anchor = anchorCell;
  return normal;
}

/** Reads one entry's state: JSON of an object or null, within the size limit. */
function readState(decoder: decoding.Decoder): PresenceState | null {
  const length = decoding.readVarUint(decoder);
  if (length > LIMITS.maxPresenceStateBytes) {
    throw new ProtocolError(
      ErrorCode.UpdateTooLarge,
      `presence state of ${length} bytes exceeds the limit of ${LIMITS.maxPresenceStateBytes}`,
    );
  }
  const json = decoding.readUint8Array(decoder, length);
  let state: unknown;
  try {
    state = JSON.parse(utf8.decode(json));
  } catch {
    throw new UpdateError("presence state is not JSON");
  }
  if (state === null) return null;
  if (typeof state !== "object" || Array.isArray(state)) refuse("a presence state is an object or null");
  return normalizePresenceState(state);
}

/**
 * Decodes a client's awareness update (y-protocols' format: a count, then per client its id,
 * clock and state as JSON) into clamped entries. It is read here rather than by y-protocols so
 * that nothing unchecked is applied: bad bytes throw `UpdateError`, a state too large, not an
 * object, or more clients than a socket may speak for throw `ProtocolError`.
 */
export function readPresenceUpdate(update: Uint8Array, maxClients = MAX_CLIENTS_PER_SOCKET): PresenceEntry[] {
  const decoder = decoding.createDecoder(update);
  const entries: PresenceEntry[] = [];
  try {
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      if (i === maxClients) refuse(`an awareness update names at most ${maxClients} clients`);
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      entries.push({ clientId, clock, state: readState(decoder) });
    }
  } catch (err) {
    if (err instanceof ProtocolError || err instanceof UpdateError) throw err;
    throw new UpdateError("malformed awareness update");
  }
  if (decoding.hasContent(decoder)) throw new UpdateError("trailing bytes after the awareness update");
  return entries;
}

/** Encodes entries back into y-protocols' awareness update format. */
export function writePresenceUpdate(entries: readonly PresenceEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

/**
 * The client ids an update introduces for a socket that already speaks for `owned`. A socket
 * speaks only for ids it introduced, so an update naming an id `taken` by anyone else is refused
 * whole, as is one that removes an id it does not own or takes the socket past the cap.
 */
export function claimClientIds(
  entries: readonly PresenceEntry[],
  owned: ReadonlySet<number>,
  taken: (clientId: number) => boolean,
): number[] {
  const claimed = new Set<number>();
  for (const { clientId, state } of entries) {
    if (owned.has(clientId)) continue;
    if (taken(clientId)) refuse(`presence ${clientId} belongs to someone else`);
    if (state === null) refuse("only your own presence can be removed");
    claimed.add(clientId);
  }
  if (owned.size + claimed.size > MAX_CLIENTS_PER_SOCKET) {
    refuse(`one connection speaks for at most ${MAX_CLIENTS_PER_SOCKET} people in a sheet`);
  }
  return [...claimed];
}
