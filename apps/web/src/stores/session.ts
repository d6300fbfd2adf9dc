import { defineStore } from "pinia";
import { markRaw, ref, shallowRef } from "vue";
import { ErrorCode, type SyncStatus } from "@cosheet/protocol";
import { SheetSession } from "../collab/session";

/** The open sheet's session (held raw: never made reactive) and its connection state. */
export const useSessionStore = defineStore("session", () => {
  const session = shallowRef<SheetSession | null>(null);
  const status = ref<SyncStatus>("connecting");
  const unsynced = ref(0);
  const error = ref<string | null>(null);
  /** Why the server refused changes made in this tab that can never be saved, if it did. */
  const refused = ref<string | null>(null);

  function open(sheetId: string): SheetSession {
    close();
    const s = markRaw(new SheetSession(sheetId));
    status.value = s.provider.status;
    unsynced.value = s.provider.unsyncedChanges;
    error.value = null;
    refused.value = null;
    s.provider.on("status", (value) => (status.value = value));
    s.provider.on("unsynced", (count) => (unsynced.value = count));
    s.provider.on("error", (e) => {
      if (e.code === ErrorCode.InvalidContent) refused.value = e.message;
      else error.value = e.code === ErrorCode.NotFound ? "This sheet does not exist." : e.message;
    });
    session.value = s;
    return s;
  }

  function close(): void {
    session.value?.destroy();
    session.value = null;
  }

  return { session, status, unsynced, error, refused, open, close };
});
