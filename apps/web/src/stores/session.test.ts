// @vitest-environment happy-dom
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "@cosheet/protocol";
import { linkFor, loadRecent, rememberLink, type RememberedLink } from "../collab/recent";
import { useSessionStore } from "./session";

/** Sessions opened by the store, each with a provider whose events the tests emit. */
const opened = vi.hoisted(() => [] as { sheetId: string; link: RememberedLink; emit: (event: string, ...args: unknown[]) => void }[]);

vi.mock("../collab/session", () => ({
  SheetSession: class {
    private readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
    readonly provider = {
      status: "connecting",
      unsyncedChanges: 0,
      loading: false,
      on: (event: string, handler: (...args: unknown[]) => void) => {
        this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
      },
    };
    copyLoading = false;
    onCopyLoading(handler: (loading: boolean) => void): void {
      this.handlers.set("copyLoading", [
        ...(this.handlers.get("copyLoading") ?? []),
        (loading) => {
          this.copyLoading = loading as boolean;
          handler(loading as boolean);
        },
      ]);
    }
    constructor(
      readonly sheetId: string,
      readonly link: RememberedLink,
    ) {
      opened.push({ sheetId, link, emit: (event, ...args) => this.handlers.get(event)?.forEach((h) => h(...args)) });
    }
    destroy(): void {}
  },
}));

const secret = (tag: string) => tag.padStart(32, "x");
const last = () => opened[opened.length - 1]!;

beforeEach(() => {
  setActivePinia(createPinia());
  localStorage.clear();
  opened.length = 0;
});

describe("the session store", () => {
  it("joins with the address's secret, remembered before the join answers and with its role after", () => {
    const store = useSessionStore();
    store.open("sheet", secret("v"));
    expect(last().link).toEqual({ secret: secret("v") });
    expect(linkFor("sheet", undefined)).toEqual({ secret: secret("v") });
    expect(store.assumedRole).toBeNull();
    last().emit("role", "view");
    expect(store.role).toBe("view");
    expect(linkFor("sheet", undefined)).toEqual({ secret: secret("v"), role: "view" });
  });

  it("acts on the remembered role until the join answers", () => {
    rememberLink("sheet", { secret: secret("o"), role: "owner" });
    const store = useSessionStore();
    store.open("sheet");
    expect(last().link).toEqual({ secret: secret("o"), role: "owner" });
    expect(store.role).toBeNull();
    expect(store.assumedRole).toBe("owner");
  });

  it("says a link no longer gives access, and forgets it", () => {
    const store = useSessionStore();
    store.open("sheet", secret("r"));
    last().emit("error", { code: ErrorCode.Unauthorized, message: "revoked" });
    expect(store.error).toBe("This link no longer gives access.");
    expect(loadRecent()).toEqual([]);
    store.open("other");
    last().emit("error", { code: ErrorCode.Unauthorized, message: "no link" });
    expect(store.error).toBe("You need a link to open this sheet. Ask its owner to share one with you.");
  });

  it("tells of changes never sent for the role, and of a refused change, without closing the sheet", () => {
    const store = useSessionStore();
    store.open("sheet", secret("c"));
    last().emit("role", "comment");
    last().emit("discarded", 3);
    expect(store.withheld).toBe("3 changes kept in this browser from an earlier visit were not sent: this link can only comment.");
    // A refused change is discarded, then reported as refused: the notice says the latter.
    last().emit("discarded", 1);
    last().emit("error", { code: ErrorCode.Forbidden, message: "this link can only comment" });
    expect(store.withheld).toBe("A change was refused and will not be saved (this link can only comment).");
    expect(store.error).toBeNull();
  });

  it("follows whether the sheet's state is still arriving", () => {
    const store = useSessionStore();
    store.open("sheet", secret("l"));
    expect(store.loading).toBe(false);
    last().emit("loading", true);
    expect(store.loading).toBe(true);
    last().emit("loading", false);
    expect(store.loading).toBe(false);
    // The local copy applying in parts counts too, whichever ends first.
    last().emit("copyLoading", true);
    expect(store.loading).toBe(true);
    last().emit("loading", true);
    last().emit("loading", false);
    expect(store.loading).toBe(true);
    last().emit("copyLoading", false);
    expect(store.loading).toBe(false);
  });
});
