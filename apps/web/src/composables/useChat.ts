import { onScopeDispose, ref, shallowRef } from "vue";
import type { Ack, DirectMessage } from "@cosheet/protocol";
import { isChatMessage, NEUTRAL_COLOR, postMessage, type ChatMessage } from "@cosheet/sheet";
import type { SheetSession } from "../collab/session";
import { usePresenceStore } from "../stores/presence";

/** A line of the chat panel: a group message, or a direct message to or from one person. */
export interface ChatLine {
  key: string;
  author: string;
  color: string;
  text: string;
  at: number;
  /** For direct messages: "to <name>" or "from <name>". */
  privately?: string;
  mine: boolean;
}

/**
 * The sheet's chat: the group messages stored in the document, and direct messages, which the
 * server relays to one person and nobody stores (they last as long as this tab).
 */
export function useChat(session: SheetSession) {
  const presence = usePresenceStore();
  const chat = session.sheet.types.chat;
  // Entries of another shape (stored before the server checked them) are not shown.
  const messages = () => chat.toArray().filter(isChatMessage);
  const group = shallowRef<ChatMessage[]>(messages());
  const direct = shallowRef<ChatLine[]>([]);
  const unread = ref(0);
  const open = ref(false);
  const error = ref<string | null>(null);

  const nameOf = (clientId: number) =>
    presence.peers.find((p) => p.clientId === clientId)?.user ?? { name: "someone who left", color: NEUTRAL_COLOR };

  const onGroup = (event: { transaction: { local: boolean } }) => {
    const before = group.value.length;
    group.value = messages();
    if (!open.value && !event.transaction.local) unread.value += Math.max(0, group.value.length - before);
  };
  chat.observe(onGroup);

  const onDirect = (m: DirectMessage) => {
    if (m.sheetId !== session.sheetId) return;
    const from = nameOf(m.from);
    direct.value = [
      ...direct.value,
      { key: `d${m.at}-${m.from}-${direct.value.length}`, author: from.name, color: from.color, text: m.text, at: m.at, privately: `to you`, mine: false },
    ];
    if (!open.value) unread.value++;
  };
  session.socket.on("chat:direct", onDirect);

  onScopeDispose(() => {
    chat.unobserve(onGroup);
    session.socket.off("chat:direct", onDirect);
  });

  function send(text: string, to: number | null): void {
    error.value = null;
    const me = presence.me;
    if (to === null) {
      postMessage(session.doc, { author: me.name, color: me.color, text });
      return;
    }
    const recipient = nameOf(to).name;
    session.socket.emit("chat:direct", { sheetId: session.sheetId, to, text }, (res: Ack<null>) => {
      if (!res.ok) {
        error.value = `Not delivered to ${recipient}: ${res.error.message}`;
        return;
      }
      direct.value = [
        ...direct.value,
        { key: `s${Date.now()}-${direct.value.length}`, author: me.name, color: me.color, text, at: Date.now(), privately: `to ${recipient}`, mine: true },
      ];
    });
  }

  function setOpen(value: boolean): void {
    open.value = value;
    if (value) unread.value = 0;
  }

  return { group, direct, unread, open, error, send, setOpen };
}
