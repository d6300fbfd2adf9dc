import { defineStore } from "pinia";
import { computed, markRaw, ref, shallowRef } from "vue";
import { ErrorCode, type Role, type SyncStatus } from "@cosheet/protocol";
import { forgetLink, linkFor, rememberLink } from "../collab/recent";
import { SheetSession } from "../collab/session";

function discardedNotice(count: number, role: Role | null): string {
  const changes = count === 1 ? "1 change" : `${count} changes`;
  const were = count === 1 ? "was" : "were";
  return `${changes} kept in this browser from an earlier visit ${were} not sent: this link can only ${role === "comment" ? "comment" : "view"}.`;
}

/** The open sheet's session (held raw: never made reactive), its connection state and its role. */
export const useSessionStore = defineStore("session", () => {
  const session = shallowRef<SheetSession | null>(null);
  const status = ref<SyncStatus>("connecting");
  const unsynced = ref(0);
  /**
   * The sheet's state is still arriving into a document that held none of it (see
   * SheetProvider.loading), or the local copy is still being applied (SheetSession.copyLoading).
   */
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** Why the server refused changes made in this tab that can never be saved, if it did. */
  const refused = ref<string | null>(null);
  /** What the server lets this tab do in the sheet, as it said on joining; null until then. */
  const role = ref<Role | null>(null);
  /** The role this browser remembers for the link opened with, if it has joined with it before. */
  const rememberedRole = ref<Role | null>(null);
  /** The role to act on: the joined one, or until the join answers the remembered one (so a sheet opens offline). */
  const assumedRole = computed(() => role.value ?? rememberedRole.value);
  /** Changes of this tab that the role does not let it save (never sent, or refused), for a dismissable notice. */
  const withheld = ref<string | null>(null);

  /** Opens a sheet with the secret from its address, or without one with the best link this browser remembers. */
  function open(sheetId: string, secret?: string): SheetSession {
    close();
    const link = linkFor(sheetId, secret);
    // Before the join answers: the address bar no longer shows the secret, so a reload needs it.
    if (secret) rememberLink(sheetId, link);
    const s = markRaw(new SheetSession(sheetId, link));
    status.value = s.provider.status;
    unsynced.value = s.provider.unsyncedChanges;
    loading.value = s.provider.loading || s.copyLoading;
    error.value = null;
    refused.value = null;
    role.value = null;
    rememberedRole.value = link.role ?? null;
    withheld.value = null;
    s.provider.on("status", (value) => (status.value = value));
    s.provider.on("unsynced", (count) => (unsynced.value = count));
    s.provider.on("loading", (value) => (loading.value = value || s.copyLoading));
    s.onCopyLoading((value) => (loading.value = value || s.provider.loading));
    s.provider.on("role", (value) => {
      role.value = value;
      rememberLink(sheetId, { secret: link.secret, role: value });
    });
    s.provider.on("discarded", (count) => (withheld.value = discardedNotice(count, role.value)));
    s.provider.on("error", (e) => {
      if (e.code === ErrorCode.Unauthorized) {
        forgetLink(sheetId, link.secret);
        role.value = null;
        error.value = link.secret
          ? "This link no longer gives access."
          : "You need a link to open this sheet. Ask its owner to share one with you.";
      } else if (e.code === ErrorCode.Forbidden) {
        // A refused change is discarded first: this replaces the notice about an earlier visit.
        withheld.value = `A change was refused and will not be saved (${e.message}).`;
      } else if (e.code === ErrorCode.InvalidContent) refused.value = e.message;
      else error.value = e.code === ErrorCode.NotFound ? "This sheet does not exist." : e.message;
    });
    session.value = s;
    return s;
  }

  function close(): void {
    session.value?.destroy();
    session.value = null;
  }

  return { session, status, unsynced, loading, error, refused, role, assumedRole, withheld, open, close };
});
