import type { ErrorBody, SheetProvider } from "@cosheet/protocol";
import { randomId, type CommentRequest } from "@cosheet/sheet";

const outboxKey = (sheetId: string) => `cosheet:comments:${sheetId}`;

function isRequest(value: unknown): value is CommentRequest {
  const r = value as Partial<CommentRequest> | null;
  return typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.action === "string" && typeof r.thread === "string";
}

/** A new id for a comment event: the server takes each id once, so a resend changes nothing. */
export function commentId(): string {
  return randomId(16);
}

/**
 * The comment events this browser posted to one sheet and the server has not answered yet, kept
 * in localStorage until it does: a comment written offline is sent on reconnect, even after the
 * tab was closed and the sheet opened again. Tabs of one sheet share the stored list: each adds
 * and takes out only its own events.
 */
export class CommentOutbox {
  private waiting: CommentRequest[];
  /** Events answered in this tab: taken out of the stored list, whoever put them there. */
  private readonly settled = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly sheetId: string,
    private readonly provider: SheetProvider,
    /** Told when the server refuses an event for good (its thread deleted meanwhile, say). */
    private readonly onRefused: (request: CommentRequest, error: ErrorBody) => void,
    private readonly storage: Storage = localStorage,
  ) {
    this.waiting = this.load();
    for (const request of this.waiting) this.send(request);
  }

  /** Events not yet stored by the server, oldest first. */
  get pending(): readonly CommentRequest[] {
    return this.waiting;
  }

  /** Calls `listener` whenever {@link pending} changes; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  post(request: CommentRequest): void {
    this.waiting = [...this.waiting, request];
    this.changed([request]);
    this.send(request);
  }

  private send(request: CommentRequest): void {
    this.provider.postComment(request).then(
      () => this.settle(request),
      (error: ErrorBody) => {
        this.settle(request);
        this.onRefused(request, error);
      },
    );
  }

  private settle(request: CommentRequest): void {
    this.waiting = this.waiting.filter((r) => r.id !== request.id);
    this.settled.add(request.id);
    this.changed([]);
  }

  /** Stores the list as other tabs left it, with `added` and without what this tab settled. */
  private changed(added: CommentRequest[]): void {
    try {
      const stored = [...this.load(), ...added].filter((r) => !this.settled.has(r.id));
      const unique = [...new Map(stored.map((r) => [r.id, r])).values()];
      if (unique.length === 0) this.storage.removeItem(outboxKey(this.sheetId));
      else this.storage.setItem(outboxKey(this.sheetId), JSON.stringify(unique));
    } catch {
      // Storage full or off: the events still go out while this tab is open.
    }
    for (const listener of this.listeners) listener();
  }

  private load(): CommentRequest[] {
    try {
      const saved: unknown = JSON.parse(this.storage.getItem(outboxKey(this.sheetId)) ?? "[]");
      return Array.isArray(saved) ? saved.filter(isRequest) : [];
    } catch {
      return [];
    }
  }
}
