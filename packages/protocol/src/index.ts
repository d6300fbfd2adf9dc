export { ErrorCode, fail, ok, ProtocolError, UPDATE_ERROR_CODES } from "./errors.js";
export type { Ack, ErrorBody } from "./errors.js";
export type {
  ClientToServerEvents,
  InterServerEvents,
  JoinResult,
  Role,
  ServerToClientEvents,
  SyncResult,
} from "./events.js";
export { CSV_TYPES, IMPORT_ACCEPT, XLSX_TYPE } from "./files.js";
export { LIMITS } from "./limits.js";
export { SheetProvider } from "./provider.js";
export type { SheetProviderEvents, SheetProviderOptions, SheetSocket, SyncStatus } from "./provider.js";
export {
  AwarenessPayloadSchema,
  CreateSheetBodySchema,
  DirectMessagePayloadSchema,
  isSheetId,
  JoinPayloadSchema,
  PatchCellsBodySchema,
  SHEET_ID_PATTERN,
  SheetIdSchema,
  SheetRefSchema,
  SyncPayloadSchema,
  TitleSchema,
  UpdatePayloadSchema,
} from "./schemas.js";
export type {
  AwarenessPayload,
  DirectMessage,
  DirectMessagePayload,
  JoinPayload,
  SheetRef,
  SyncPayload,
  UpdatePayload,
} from "./schemas.js";
export { connectSocket, wireParser } from "./socket.js";
export { PROTOCOL_VERSION } from "./version.js";
