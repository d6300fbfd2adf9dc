import { describe, expect, it } from "vitest";
import type { ErrorBody, SheetProvider } from "@cosheet/protocol";
import type { CommentRequest } from "@cosheet/sheet";
import { CommentOutbox } from "./comments";

/** localStorage as one Map, shared by the tabs of a test. */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, value),
  };
}

/** A provider that answers each posted event when the test says so. */
function offlineProvider() {
  const answers = new Map<string, { resolve: () => void; reject: (e: ErrorBody) => void }>();
  const provider = {
    postComment: (request: CommentRequest) => new Promise<void>((resolve, reject) => answers.set(request.id, { resolve, reject })),
  } as unknown as SheetProvider;
  return { provider, answers };
}

const reply = (id: string): CommentRequest => ({ id, action: "reply", thread: "t", text: id });
const stored = (storage: Storage) => (JSON.parse(storage.getItem("cosheet:comments:s1") ?? "[]") as CommentRequest[]).map((r) => r.id);
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("the comment outbox", () => {
  it("keeps every tab's unsent events, takes out each once answered, and sends them again in a new tab", async () => {
    const storage = memoryStorage();
    const a = offlineProvider();
    const b = offlineProvider();
    const refused: string[] = [];
    const tabA = new CommentOutbox("s1", a.provider, (r) => refused.push(r.id), storage);
    const tabB = new CommentOutbox("s1", b.provider, (r) => refused.push(r.id), storage);
    tabA.post(reply("a1"));
    tabB.post(reply("b1"));
    expect(stored(storage)).toEqual(["a1", "b1"]);
    a.answers.get("a1")!.resolve();
    await flush();
    expect(stored(storage)).toEqual(["b1"]);
    expect(tabA.pending).toEqual([]);
    // A tab opened later sends what is still waiting; a refusal takes it out and is told.
    const c = offlineProvider();
    const tabC = new CommentOutbox("s1", c.provider, (r) => refused.push(r.id), storage);
    expect(tabC.pending.map((r) => r.id)).toEqual(["b1"]);
    c.answers.get("b1")!.reject({ code: "NOT_FOUND", message: "that comment thread was deleted" });
    await flush();
    expect(refused).toEqual(["b1"]);
    expect(stored(storage)).toEqual([]);
    expect(storage.getItem("cosheet:comments:s1")).toBeNull();
  });
});
