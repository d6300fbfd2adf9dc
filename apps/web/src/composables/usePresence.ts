import { onScopeDispose, watch } from "vue";
import type { Sheet } from "@cosheet/sheet";
import type { SheetSession } from "../collab/session";
import { usePresenceStore, type Peer, type PeerState } from "../stores/presence";
import { useSelectionStore } from "../stores/selection";

function isPeerState(state: unknown): state is PeerState {
  const user = (state as PeerState | null)?.user;
  return typeof user?.name === "string" && typeof user?.color === "string";
}

/**
 * Binds presence both ways: my name, my tab and selection (as cell ids) go out through awareness, and
 * everyone else's state comes into the presence store.
 */
export function usePresence(session: SheetSession, tab: () => Sheet): void {
  const presence = usePresenceStore();
  const selection = useSelectionStore();
  const { awareness } = session.provider;


  const onChange = () => {
    const peers: Peer[] = [];
    awareness.getStates().forEach((state, clientId) => {
      if (clientId !== awareness.clientID && isPeerState(state)) peers.push({ clientId, ...state });
    });
    presence.peers = peers;
  };
  awareness.on("change", onChange);
  onChange();

  const stopUser = watch(
    () => presence.me,
    (user) => awareness.setLocalStateField("user", user),
    { immediate: true },
  );
  const stopSelection = watch(
    () => [selection.focus, selection.anchor, tab()] as const,
    ([focus, anchor, sheet]) => {
      awareness.setLocalState({
        ...awareness.getLocalState(),
        tab: sheet.tab,
        cursor: sheet.idsAt(focus.row, focus.col),
        anchor: sheet.idsAt(anchor.row, anchor.col),
      });
    },
    { immediate: true },
  );

  onScopeDispose(() => {
    awareness.off("change", onChange);
    stopUser();
    stopSelection();
    presence.peers = [];
  });
}
