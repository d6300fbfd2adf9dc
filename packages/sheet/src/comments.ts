import type * as Y from "yjs";
import type { Axis } from "./axis.js";
import { CONTENT_LIMITS, isCommentEvent, isCommentText } from "./content.js";
import { FIRST_TAB, type CommentEvent, type CommentRequest, type CommentStamp } from "./schema.js";

/**
 * Comments on cells. The document holds them as a log of events that only the server appends to
 * (see CommentEvent), and everyone folds the log into the same threads: a reply, an edit, a
 * delete or a resolve is a new event, so someone who may comment but not edit only ever adds to
 * the document, a comment's every wording stays in the sheet's history, and two people acting
 * on one thread at once both get their event in, in one order for everyone.
 */

export interface Comment {
  id: string;
  author: string;
  person: string;
  text: string;
  at: number;
  /** When its author last changed it, if they did. */
  editedAt: number | null;
}

export interface Thread {
  id: string;
  /** The tab of its cell. */
  tab: string;
  /** The cell, by ids: the thread shows wherever the cell is, and not while its row or column is deleted. */
  rowId: string;
  colId: string;
  /** Oldest first; the first opened the thread. */
  comments: Comment[];
  resolved: boolean;
  /** When anything last happened in it. */
  updatedAt: number;
}

/** A thread whose cell is in the sheet, and where that cell is now. */
export interface PlacedThread {
  thread: Thread;
  row: number;
  col: number;
}

export type CommentRefusalReason = "gone" | "not-yours" | "full" | "invalid";

export class CommentError extends Error {
  override readonly name = "CommentError";

  constructor(
    message: string,
    readonly reason: CommentRefusalReason,
  ) {
    super(message);
  }
}

interface Folded {
  threads: Map<string, Thread>;
  /** Each comment still there, and its thread. */
  comments: Map<string, { thread: Thread; comment: Comment }>;
  /** Every valid event of the log by id, applied or not: an id is taken once. */
  events: Map<string, CommentEvent>;
  /** How many entries of the log are folded in. */
  length: number;
}

/**
 * Folds a comment log into threads, in the log's order. An entry that is not a valid event, or
 * that repeats an id, is passed over; so is an event with nothing to act on (a reply to a thread
 * that is gone) or, for an edit or a delete that is not moderated, one not by the comment's
 * author. Deleting the comment that opened a thread deletes the thread.
 */
export function foldComments(log: Iterable<unknown>): Folded {
  const folded: Folded = { threads: new Map(), comments: new Map(), events: new Map(), length: 0 };
  foldInto(folded, log);
  return folded;
}

/** Folds more entries of the log, after those already folded. Each costs the same whatever the log's size. */
function foldInto(folded: Folded, entries: Iterable<unknown>): void {
  for (const event of entries) {
    folded.length++;
    if (!isCommentEvent(event) || folded.events.has(event.id)) continue;
    folded.events.set(event.id, event);
    if (refusal(folded, event, event.person) === null) applyEvent(folded, event);
  }
}

/** Why an event cannot be applied to the threads as they are, or null if it can. */
function refusal(folded: Folded, event: CommentRequest & { moderated?: true }, person: string): CommentError | null {
  const thread = folded.threads.get(event.thread);
  switch (event.action) {
    case "open":
      if (event.thread !== event.id || thread) return new CommentError("a new thread needs an id of its own", "invalid");
      return null;
    case "reply":
    case "resolve":
    case "reopen":
      return thread ? null : new CommentError("that comment thread was deleted", "gone");
    case "edit":
    case "delete": {
      const found = folded.comments.get(event.target);
      if (!found || found.thread !== thread) return new CommentError("that comment was deleted", "gone");
      if (event.action === "delete" && event.moderated) return null;
      if (person === "" || found.comment.person !== person) return new CommentError("only its author may change a comment", "not-yours");
      return null;
    }
  }
}

function applyEvent(folded: Folded, event: CommentEvent): void {
  const comment = (text: string): Comment => ({ id: event.id, author: event.author, person: event.person, text, at: event.at, editedAt: null });
  if (event.action === "open") {
    const thread: Thread = {
      id: event.id,
      tab: event.tab ?? FIRST_TAB,
      rowId: event.rowId,
      colId: event.colId,
      comments: [comment(event.text)],
      resolved: false,
      updatedAt: event.at,
    };
    folded.threads.set(thread.id, thread);
    folded.comments.set(event.id, { thread, comment: thread.comments[0]! });
    return;
  }
  const thread = folded.threads.get(event.thread)!;
  thread.updatedAt = event.at;
  switch (event.action) {
    case "reply": {
      const reply = comment(event.text);
      thread.comments.push(reply);
      folded.comments.set(event.id, { thread, comment: reply });
      break;
    }
    case "edit": {
      const { comment: target } = folded.comments.get(event.target)!;
      target.text = event.text;
      target.editedAt = event.at;
      break;
    }
    case "delete":
      if (thread.comments[0]!.id === event.target) {
        folded.threads.delete(thread.id);
        for (const c of thread.comments) folded.comments.delete(c.id);
      } else {
        thread.comments = thread.comments.filter((c) => c.id !== event.target);
        folded.comments.delete(event.target);
      }
      break;
    case "resolve":
    case "reopen":
      thread.resolved = event.action === "resolve";
      break;
  }
}

const GROWING: ReadonlySet<string> = new Set(["open", "reply", "edit"]);

/**
 * A workbook's comment log folded into threads, one per document. The log only grows at its end
 * (the server alone appends), so each new entry is folded in as it comes; anything else (a merge
 * that put entries in the middle) folds the log again.
 */
class CommentLog {
  private folded: Folded | null = null;

  static of(log: Y.Array<CommentEvent>): CommentLog {
    let folded = logs.get(log);
    if (!folded) logs.set(log, (folded = new CommentLog(log)));
    return folded;
  }

  private constructor(private readonly log: Y.Array<CommentEvent>) {
    log.observe((event) => {
      const folded = this.folded;
      if (!folded || folded.length === log.length) return; // none yet, or folded as appended here
      const [first, second, ...rest] = event.changes.delta;
      const appended =
        rest.length === 0 &&
        (second === undefined ? folded.length === 0 && first?.insert !== undefined : first?.retain === folded.length && second.insert !== undefined);
      if (appended) foldInto(folded, log.slice(folded.length));
      else this.folded = null;
    });
  }

  get state(): Folded {
    this.folded ??= foldComments(this.log.toArray());
    return this.folded;
  }

  /** Appends an event that may apply, in one transaction, folded in first. */
  push(event: CommentEvent, origin: unknown): void {
    // Folded in before it is pushed: the push's observer then finds the log folded to its end.
    foldInto(this.state, [event]);
    const { doc } = this.log;
    if (doc) doc.transact(() => this.log.push([event]), origin);
    else this.log.push([event]);
  }
}

const logs = new WeakMap<Y.Array<CommentEvent>, CommentLog>();

/** The comments on one tab's cells, from the workbook's comment log. */
export class Comments {
  private readonly log: CommentLog;

  constructor(
    log: Y.Array<CommentEvent>,
    private readonly tab: string,
    private readonly rows: Axis,
    private readonly cols: Axis,
  ) {
    this.log = CommentLog.of(log);
  }

  private get state(): Folded {
    return this.log.state;
  }

  /** Every thread of the workbook, hidden ones (whose row, column or tab is deleted) included, by id. */
  get threads(): ReadonlyMap<string, Thread> {
    return this.state.threads;
  }

  /** The threads on this tab whose cell is there, with where each is now. */
  placed(): PlacedThread[] {
    const placed: PlacedThread[] = [];
    for (const thread of this.state.threads.values()) {
      if (thread.tab !== this.tab) continue;
      const row = this.rows.indexOf(thread.rowId);
      const col = this.cols.indexOf(thread.colId);
      if (row >= 0 && col >= 0) placed.push({ thread, row, col });
    }
    return placed;
  }

  /** True when the log holds an event of this id: asking for it again changes nothing. */
  has(eventId: string): boolean {
    return this.state.events.has(eventId);
  }

  /**
   * Appends a requested event, stamped, in one transaction: the server's write. A new thread is on
   * this tab, whatever the request says. Nothing is written, and {@link CommentError} says why,
   * for an event that cannot apply (its thread or comment is gone, it changes someone else's
   * comment, its cell is not on the tab), for text
   * the sheet does not keep, and once the log or the thread is full. The same event sent again
   * (same id, same person) is not written twice; another event with a taken id is refused.
   * A `moderator` (an editor) may delete anyone's comment: the delete is marked `moderated`.
   */
  append(request: CommentRequest, stamp: CommentStamp, origin?: unknown, { moderator = false } = {}): CommentEvent | null {
    const state = this.state;
    const existing = state.events.get(request.id);
    if (existing) {
      if (existing.person === stamp.person && existing.action === request.action) return null;
      throw new CommentError("another comment event has this id: send it with a new one", "invalid");
    }
    const growing = GROWING.has(request.action);
    if (state.events.size >= (growing ? CONTENT_LIMITS.commentEvents : CONTENT_LIMITS.commentEventsMax)) {
      throw new CommentError(`this sheet has reached its limit of ${CONTENT_LIMITS.commentEvents} comment entries`, "full");
    }
    if ("text" in request && !isCommentText(request.text)) {
      throw new CommentError(`a comment has 1 to ${CONTENT_LIMITS.commentText} characters, without surrounding spaces`, "invalid");
    }
    if (request.action === "open" && (this.rows.indexOf(request.rowId) < 0 || this.cols.indexOf(request.colId) < 0)) {
      throw new CommentError("that cell's row or column was deleted", "gone");
    }
    if (request.action === "reply" && (state.threads.get(request.thread)?.comments.length ?? 0) >= CONTENT_LIMITS.commentsPerThread) {
      throw new CommentError(`a thread has at most ${CONTENT_LIMITS.commentsPerThread} comments: start a new one`, "full");
    }
    const event: CommentEvent = { ...request, ...stamp };
    if (event.action === "open") {
      delete event.tab;
      if (this.tab !== FIRST_TAB) event.tab = this.tab;
    }
    const problem = refusal(state, event, stamp.person);
    if (problem?.reason === "not-yours" && moderator && event.action === "delete") event.moderated = true;
    else if (problem) throw problem;
    if (!isCommentEvent(event)) throw new CommentError("not a comment event", "invalid");
    this.log.push(event, origin);
    return event;
  }
}
