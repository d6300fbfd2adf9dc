export { COMMENT_ERROR_CODES, ErrorCode, fail, ok, ProtocolError, UPDATE_ERROR_CODES } from "./errors.js";
export type { Ack, ErrorBody } from "./errors.js";
export type {
  ClientToServerEvents,
  InterServerEvents,
  JoinResult,
  PartPayload,
  ServerToClientEvents,
  SheetClosed,
  SyncResult,
} from "./events.js";
export { CSV_TYPES, IMPORT_ACCEPT, XLSX_TYPE } from "./files.js";
export { LIMITS } from "./limits.js";
export { PART_LENGTH, stateInParts } from "./parts.js";
export { SheetProvider } from "./provider.js";
export { isRole, roleAtLeast, ROLES, SECRET_PARAM, SECRET_PATTERN, secretOf, sheetLink } from "./roles.js";
export type { Role } from "./roles.js";
export type { SheetProviderEvents, SheetProviderOptions, SheetSocket, SyncStatus } from "./provider.js";
export {
  AuthorSchema,
  AwarenessPayloadSchema,
  CommentPayloadSchema,
  CommentRequestSchema,
  CreateLinkBodySchema,
  CreateTabBodySchema,
  CreateSheetBodySchema,
  DirectMessagePayloadSchema,
  isSheetId,
  JoinPayloadSchema,
  LinkLabelSchema,
  NameVersionBodySchema,
  PatchCellsBodySchema,
  PERSON_KEY_PATTERN,
  PlainAddressBodySchema,
  RestoreBodySchema,
  SHEET_ID_PATTERN,
  SheetIdSchema,
  SheetRefSchema,
  SyncPayloadSchema,
  TitleSchema,
  UpdatePayloadSchema,
  UpdateTabBodySchema,
} from "./schemas.js";
export type {
  AwarenessPayload,
  DirectMessage,
  DirectMessagePayload,
  CellChange,
  CommentInfo,
  CommentPayload,
  JoinPayload,
  LinkInfo,
  NewLink,
  PartCompression,
  SheetLinks,
  SheetRef,
  SyncPayload,
  TabInfo,
  ThreadInfo,
  UpdatePayload,
  Version,
} from "./schemas.js";
export { newPersonKey, personId } from "./person.js";
export { connectSocket, wireParser } from "./socket.js";
export { PROTOCOL_VERSION } from "./version.js";
