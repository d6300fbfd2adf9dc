import type * as Y from "yjs";
import { CONTENT_LIMITS } from "./content.js";
import { safeColor } from "./format.js";
import { randomId } from "./ids.js";
import { sheetTypes, type ChatMessage } from "./schema.js";

/**
 * Appends a message to the sheet's chat; blank text is ignored, long text and names cut to their
 * limits, and a colour that is not `#rrggbb` replaced, so the entry is always one the sheet holds.
 */
export function postMessage(
  doc: Y.Doc,
  message: Pick<ChatMessage, "author" | "color" | "text">,
  origin?: unknown,
): ChatMessage | null {
  const text = message.text.trim().slice(0, CONTENT_LIMITS.chatText);
  if (!text) return null;
  const entry: ChatMessage = {
    id: randomId(12),
    author: message.author.slice(0, CONTENT_LIMITS.name),
    color: safeColor(message.color),
    text,
    at: Date.now(),
  };
  doc.transact(() => sheetTypes(doc).chat.push([entry]), origin);
  return entry;
}
