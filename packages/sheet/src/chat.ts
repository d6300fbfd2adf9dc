import type * as Y from "yjs";
import { randomId } from "./ids.js";
import { sheetTypes, type ChatMessage } from "./schema.js";

/** Longest chat message; the same limit as direct messages on the wire. */
export const MAX_CHAT_LENGTH = 2000;

/** Appends a message to the sheet's chat; blank text is ignored, long text cut to the limit. */
export function postMessage(
  doc: Y.Doc,
  message: Pick<ChatMessage, "author" | "color" | "text">,
  origin?: unknown,
): ChatMessage | null {
  const text = message.text.trim().slice(0, MAX_CHAT_LENGTH);
  if (!text) return null;
  const entry: ChatMessage = { id: randomId(12), author: message.author.slice(0, 60), color: message.color, text, at: Date.now() };
  doc.transact(() => sheetTypes(doc).chat.push([entry]), origin);
  return entry;
}
