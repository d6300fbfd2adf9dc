import { z } from "zod";
import { CONTENT_LIMITS } from "@cosheet/sheet";
import { LIMITS } from "./limits.js";
import { ROLES } from "./roles.js";

/** The one pattern of a sheet id, checked everywhere an id enters the server. */
export const SHEET_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${LIMITS.sheetIdLength}}$`);

export function isSheetId(value: unknown): value is string {
  return typeof value === "string" && SHEET_ID_PATTERN.test(value);
}

export const SheetIdSchema = z.string().regex(SHEET_ID_PATTERN, "not a sheet id");

/** A person key: random, at least 132 bits, kept by one browser. */
export const PERSON_KEY_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/** Binary payloads: Uint8Array in browsers, Buffer (a Uint8Array) in Node; ArrayBuffer accepted. */
const Binary = z
  .custom<Uint8Array | ArrayBuffer>((v) => v instanceof Uint8Array || v instanceof ArrayBuffer, "expected binary data")
  .transform((v): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(v)));

export const JoinPayloadSchema = z.object({
  sheetId: SheetIdSchema,
  protocolVersion: z.number().int(),
  /** The secret of the link the page was opened with; none for a sheet's plain address. */
  secret: z.string().max(64).optional(),
  /** This browser's person key (see `personId`): what makes a comment one's own, to edit or delete. */
  person: z.string().regex(PERSON_KEY_PATTERN, "not a person key").optional(),
});
export type JoinPayload = z.input<typeof JoinPayloadSchema>;

export const SheetRefSchema = z.object({ sheetId: SheetIdSchema });
export type SheetRef = z.input<typeof SheetRefSchema>;

/**
 * How a client may be sent large parts of a sheet's state: `deflate` is DEFLATE in the zlib
 * format (RFC 1950, with its checksum), as the Compression Streams API reads it.
 */
export const PartCompressionSchema = z.literal("deflate");
export type PartCompression = z.output<typeof PartCompressionSchema>;

/**
 * A y-protocols sync message (step 1, step 2 or update) for one sheet. With `parts`, a step 1 is
 * answered with the state in parts sent ahead of the answer (see ServerToClientEvents), the large
 * ones compressed as `compression` says, if given.
 */
export const SyncPayloadSchema = z.object({
  sheetId: SheetIdSchema,
  message: Binary,
  parts: z.boolean().optional(),
  compression: PartCompressionSchema.optional(),
});
export type SyncPayload = z.input<typeof SyncPayloadSchema>;

/** A Yjs update for one sheet. */
export const UpdatePayloadSchema = z.object({ sheetId: SheetIdSchema, update: Binary });
export type UpdatePayload = z.input<typeof UpdatePayloadSchema>;

/** A y-protocols awareness update for one sheet. */
export const AwarenessPayloadSchema = UpdatePayloadSchema;
export type AwarenessPayload = UpdatePayload;

/** A name or label shown to people: text, never a NUL character (which no database text column stores). */
const shownText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !text.includes("\u0000"), "must not contain a NUL character");

export const TitleSchema = shownText(LIMITS.maxTitleLength).refine((text) => text.length > 0, "must not be empty");

/** A display name someone gives with a change they make over HTTP (as presence carries one). */
export const AuthorSchema = shownText(LIMITS.maxNameLength);

/** `POST /api/sheets/:id/versions` body: names the sheet's current state. */
export const NameVersionBodySchema = z.object({ name: TitleSchema, author: AuthorSchema.optional() }).strict();

/** `POST /api/sheets/:id/versions/:versionId/restore` body, optional. */
export const RestoreBodySchema = z.object({ author: AuthorSchema.optional() }).strict();

/** `POST /api/sheets/:id/tabs` body: a new tab, named or "SheetN", last or at `index`. */
export const CreateTabBodySchema = z.object({ name: z.string().max(100).optional(), index: z.number().int().nonnegative().optional() }).strict();

/** `PATCH /api/sheets/:id/tabs/:tab` body. */
export const UpdateTabBodySchema = z
  .object({ name: z.string().max(100).optional(), index: z.number().int().nonnegative().optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.index !== undefined, "give a name, an index, or both");

/** A tab as the API lists it. */
export interface TabInfo {
  id: string;
  name: string;
  rowCount: number;
  colCount: number;
}

/** `POST /api/sheets` body. */
export const CreateSheetBodySchema = z.object({ title: TitleSchema.optional() }).strict();

/** `PATCH /api/sheets/:id/cells` body: A1 address -> raw input (`""` clears). */
export const PatchCellsBodySchema = z
  .object({ cells: z.record(z.string().max(16), z.string().max(LIMITS.maxCellInputLength)) })
  .strict();

const CommentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "not an id");
const CommentTextSchema = z.string().trim().min(1).max(CONTENT_LIMITS.commentText);
const commentEvent = <A extends string>(action: A) => ({ action: z.literal(action), id: CommentIdSchema, thread: CommentIdSchema });

/**
 * A comment event as a person asks for it (the sheet package's `CommentRequest`); the server
 * stamps the author, their person key's id and the time.
 */
export const CommentRequestSchema = z.discriminatedUnion("action", [
  z.object({ ...commentEvent("open"), tab: CommentIdSchema.optional(), rowId: CommentIdSchema, colId: CommentIdSchema, text: CommentTextSchema }).strict(),
  z.object({ ...commentEvent("reply"), text: CommentTextSchema }).strict(),
  z.object({ ...commentEvent("edit"), target: CommentIdSchema, text: CommentTextSchema }).strict(),
  z.object({ ...commentEvent("delete"), target: CommentIdSchema }).strict(),
  z.object(commentEvent("resolve")).strict(),
  z.object(commentEvent("reopen")).strict(),
]);

export const CommentPayloadSchema = z.object({ sheetId: SheetIdSchema, comment: CommentRequestSchema });
export type CommentPayload = z.input<typeof CommentPayloadSchema>;

/** One comment as `GET /api/sheets/:id/comments` lists it. */
export interface CommentInfo {
  id: string;
  /** The name its author showed; names are chosen freely, so two people may show the same one. */
  author: string;
  /** Who wrote it, as an id of their browser's person key in this sheet; `""`: unknown (imported, or no key). */
  person: string;
  text: string;
  at: string;
  editedAt: string | null;
}

/** A comment thread as `GET /api/sheets/:id/comments` lists it. */
export interface ThreadInfo {
  id: string;
  /** Its tab's name. */
  tab: string;
  /** Its cell in A1, as the sheet is laid out now. */
  cell: string;
  resolved: boolean;
  comments: CommentInfo[];
}

/** A direct message to one person in the sheet, named by their presence (awareness) client id. */
export const DirectMessagePayloadSchema = z.object({
  sheetId: SheetIdSchema,
  to: z.number().int().nonnegative(),
  text: z.string().trim().min(1).max(LIMITS.maxChatLength),
});
export type DirectMessagePayload = z.input<typeof DirectMessagePayloadSchema>;

/** A direct message as its recipient gets it. */
export interface DirectMessage {
  sheetId: string;
  /** The sender's presence client id. */
  from: number;
  text: string;
  at: number;
}

export const LinkLabelSchema = shownText(LIMITS.maxLinkLabelLength);

/** `POST /api/sheets/:id/links` body. `expiresAt` is an ISO 8601 time in the future. */
export const CreateLinkBodySchema = z
  .object({
    role: z.enum(ROLES),
    label: LinkLabelSchema.optional(),
    expiresAt: z.iso
      .datetime({ offset: true })
      .transform((iso) => Date.parse(iso))
      .optional(),
  })
  .strict();

/** `PUT /api/sheets/:id/plain-address` body: whether the plain address gives edit access. */
export const PlainAddressBodySchema = z.object({ enabled: z.boolean() }).strict();

/** A link as its sheet's owners see it (never its secret, which the server does not keep). */
export interface LinkInfo {
  id: string;
  role: (typeof ROLES)[number];
  label: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  /** True once `expiresAt` has passed: the link no longer gives access. */
  expired: boolean;
}

/** `GET /api/sheets/:id/links`. */
export interface SheetLinks {
  /** Whether the sheet's plain address (no secret) gives edit access, as for sheets made before links. */
  plainAddress: boolean;
  links: LinkInfo[];
}

/** A version of a sheet, as the history lists it (`GET /api/sheets/:id/versions`). */
export interface Version {
  /** A named version's id, or an automatic one's log position. */
  id: string;
  /** When its last change was stored (ISO 8601). */
  at: string;
  /** The names of who made its changes; `""` for the API and the server. */
  authors: string[];
  /** Given to a version someone named; automatic versions have none. */
  name?: string;
  /** How many cells its changes set or cleared (a cell written in two of them counts twice). */
  changedCells: number;
}

/** One value a cell had (`GET /api/sheets/:id/cells/:a1/history`): `input` `""` once cleared. */
export interface CellChange {
  /** As it read then: a formula's references in A1 for the layout of that moment. */
  input: string;
  at: string;
  author: string;
  via: "socket" | "http" | "restore" | "server";
}

/** `POST /api/sheets/:id/links` and `POST /api/sheets` answers: the new link, with its secret. */
export interface NewLink extends LinkInfo {
  url: string;
  secret: string;
}
