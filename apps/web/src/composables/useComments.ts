import { computed, onScopeDispose, shallowRef, type Ref } from "vue";
import { personId, type ErrorBody } from "@cosheet/protocol";
import { cellKey, FIRST_TAB, type CellRef, type CommentRequest, type PlacedThread, type Sheet, type Thread } from "@cosheet/sheet";
import { CommentOutbox, commentId } from "../collab/comments";
import type { SheetSession } from "../collab/session";

/** What a refused comment event tells, with its text (which is not kept anywhere else). */
function refusal(request: CommentRequest, error: ErrorBody): string {
  const text = "text" in request ? ` “${request.text.length > 80 ? `${request.text.slice(0, 80)}…` : request.text}”` : "";
  return `Your comment${text} was not saved: ${error.message}.`;
}

/**
 * The comments of the tab shown as Vue sees them: threads placed on their cells (read again after every
 * change, as the grid is), what this browser posted that is not stored yet, and the actions. Each
 * action posts one event through the outbox, which keeps it until the server has it.
 */
export function useComments(session: SheetSession, tab: () => Sheet, version: Ref<number>, notify: (message: string) => void) {
  const outbox = new CommentOutbox(session.sheetId, session.provider, (request, error) => notify(refusal(request, error)));
  const pending = shallowRef(outbox.pending);
  onScopeDispose(outbox.subscribe(() => (pending.value = outbox.pending)));
  /** This browser's person id in the sheet: the comments stamped with it are its own. */
  const me = shallowRef<string | null>(null);
  void personId(session.sheetId, session.person).then((id) => (me.value = id));

  const placed = computed<PlacedThread[]>(() => {
    void version.value;
    return tab().comments.placed().sort((a, b) => a.row - b.row || a.col - b.col || a.thread.updatedAt - b.thread.updatedAt);
  });
  /** Open threads by the key of their cell. */
  const openByCell = computed(() => {
    const byCell = new Map<string, Thread[]>();
    for (const { thread } of placed.value) {
      if (thread.resolved) continue;
      const key = cellKey(thread.rowId, thread.colId);
      byCell.set(key, [...(byCell.get(key) ?? []), thread]);
    }
    return byCell;
  });
  /** Keys of the cells with an open thread, for the grid's markers. */
  const commented = computed(() => new Set(openByCell.value.keys()));

  function openThreadsAt(cell: CellRef): Thread[] {
    const key = tab().keyAt(cell.row, cell.col);
    return key === null ? [] : (openByCell.value.get(key) ?? []);
  }

  const post = (request: CommentRequest) => outbox.post(request);

  return {
    placed,
    pending,
    me,
    commented,
    openThreadsAt,
    start(cell: CellRef, text: string): void {
      const sheet = tab();
      const ids = sheet.idsAt(cell.row, cell.col);
      if (!ids) return;
      const id = commentId();
      post({ id, action: "open", thread: id, ...(sheet.tab === FIRST_TAB ? {} : { tab: sheet.tab }), ...ids, text });
    },
    reply: (thread: Thread, text: string) => post({ id: commentId(), action: "reply", thread: thread.id, text }),
    edit: (thread: Thread, target: string, text: string) => post({ id: commentId(), action: "edit", thread: thread.id, target, text }),
    remove: (thread: Thread, target: string) => post({ id: commentId(), action: "delete", thread: thread.id, target }),
    resolve: (thread: Thread) => post({ id: commentId(), action: "resolve", thread: thread.id }),
    reopen: (thread: Thread) => post({ id: commentId(), action: "reopen", thread: thread.id }),
  };
}

export type SheetComments = ReturnType<typeof useComments>;
