import { defineStore } from "pinia";
import { ref, shallowRef } from "vue";
import type { CellIds } from "@cosheet/sheet";
import { loadIdentity, saveIdentity, type Identity } from "../collab/identity";

/** What each person shares through awareness. */
export interface PeerState {
  user: Identity;
  /** The tab they are on (none: the first). */
  tab?: string;
  cursor?: CellIds | null;
  anchor?: CellIds | null;
}

export interface Peer extends PeerState {
  clientId: number;
}

/** Who is here (others, from awareness) and who I am (remembered in this browser). */
export const usePresenceStore = defineStore("presence", () => {
  const me = ref<Identity>(loadIdentity());
  const peers = shallowRef<Peer[]>([]);

  function rename(name: string): void {
    const trimmed = name.trim().slice(0, 60);
    if (!trimmed) return;
    me.value = { ...me.value, name: trimmed };
    saveIdentity(me.value);
  }

  return { me, peers, rename };
});
