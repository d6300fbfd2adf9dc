// @vitest-environment happy-dom
import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LinkInfo, NewLink, SheetLinks } from "@cosheet/protocol";
import * as api from "../api";
import ShareDialog from "./ShareDialog.vue";

vi.mock("../api", () => ({
  listLinks: vi.fn(),
  createLink: vi.fn(),
  revokeLink: vi.fn(),
  setPlainAddress: vi.fn(),
}));

const access = { sheetId: "s".repeat(22), secret: "o".repeat(32) };
const owner: LinkInfo = {
  id: "owner1",
  role: "owner",
  label: "Creator",
  createdAt: "2030-01-01T10:00:00.000Z",
  expiresAt: null,
  lastUsedAt: "2030-01-02T10:00:00.000Z",
  expired: false,
};
const old: LinkInfo = { ...owner, id: "view1", role: "view", label: "", expiresAt: "2030-01-03T00:00:00.000Z", lastUsedAt: null, expired: true };

function open(links: SheetLinks) {
  vi.mocked(api.listLinks).mockResolvedValue(links);
  return mount(ShareDialog, { props: { access }, attachTo: document.body });
}

/** The dialog is teleported to the body. */
const body = () => document.body;
const button = (name: string) =>
  [...body().querySelectorAll("button")].find((b) => (b.getAttribute("aria-label") ?? b.textContent)?.trim().startsWith(name))!;

beforeEach(() => vi.clearAllMocks());
afterEach(() => {
  document.body.innerHTML = "";
});

describe("the share dialog", () => {
  it("lists the links with their expiry and last use, and marks the expired", async () => {
    const dialog = open({ plainAddress: false, links: [owner, old] });
    await flushPromises();
    expect(api.listLinks).toHaveBeenCalledWith(access);
    const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    const rows = [...body().querySelectorAll("tbody tr")].map((r) =>
      [...r.querySelectorAll("td")].map((td) => td.textContent?.replace(/\s+/g, " ").trim()),
    );
    expect(rows).toEqual([
      ["Owner", "Creator", when(owner.createdAt), "never", when(owner.lastUsedAt!), "Revoke"],
      ["Can view", "", when(old.createdAt), `${when(old.expiresAt!)} Expired`, "never", "Revoke"],
    ]);
    expect(body().textContent).not.toContain("plain address");
    dialog.unmount();
  });

  it("shows a new link's full address once, and copies it", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const made: NewLink = { ...owner, id: "edit1", role: "edit", label: "Team", url: `/s/${access.sheetId}#k=${"n".repeat(32)}`, secret: "n".repeat(32) };
    vi.mocked(api.createLink).mockResolvedValue(made);
    const dialog = open({ plainAddress: false, links: [owner] });
    await flushPromises();
    const select = body().querySelector("select")!;
    select.value = "edit";
    select.dispatchEvent(new Event("change"));
    const label = body().querySelector<HTMLInputElement>('input[placeholder="Who it is for"]')!;
    label.value = " Team ";
    label.dispatchEvent(new Event("input"));
    body().querySelector("form")!.dispatchEvent(new Event("submit"));
    await flushPromises();
    expect(api.createLink).toHaveBeenCalledWith(access, { role: "edit", label: "Team" });
    const shown = body().querySelector<HTMLInputElement>("input[readonly]")!;
    expect(shown.value).toBe(location.origin + made.url);
    expect(document.activeElement).toBe(shown);
    button("Copy").click();
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith(location.origin + made.url);
    expect(body().querySelector("[role=status]")?.textContent).toBe("Copied.");
    expect(body().querySelectorAll("tbody tr")).toHaveLength(2);
    dialog.unmount();
  });

  it("revokes a link only once confirmed, and shows the server's refusal", async () => {
    vi.mocked(api.revokeLink).mockRejectedValueOnce(new Error("this is the sheet's last owner link"));
    const dialog = open({ plainAddress: false, links: [owner] });
    await flushPromises();
    button("Revoke the owner link").click();
    await flushPromises();
    expect(body().querySelector("[role=alertdialog]")).not.toBeNull();
    button("Cancel").click();
    await flushPromises();
    expect(api.revokeLink).not.toHaveBeenCalled();
    button("Revoke the owner link").click();
    await flushPromises();
    button("Revoke link").click();
    await flushPromises();
    expect(api.revokeLink).toHaveBeenCalledWith(access, "owner1");
    expect(body().querySelector("[role=alert]")?.textContent).toBe("The link was not revoked: this is the sheet's last owner link.");
    expect(body().querySelectorAll("tbody tr")).toHaveLength(1);
    dialog.unmount();
  });

  it("explains the plain address and switches it off once confirmed", async () => {
    vi.mocked(api.setPlainAddress).mockResolvedValue(false);
    const dialog = open({ plainAddress: true, links: [owner] });
    await flushPromises();
    expect(body().textContent).toContain("anyone with its plain address");
    button("Switch off the plain address").click();
    await flushPromises();
    button("Switch it off").click();
    await flushPromises();
    expect(api.setPlainAddress).toHaveBeenCalledWith(access, false);
    expect(body().textContent).not.toContain("anyone with its plain address");
    dialog.unmount();
  });

  it("closes on Escape", async () => {
    const dialog = open({ plainAddress: false, links: [] });
    await flushPromises();
    body().querySelector("[role=dialog]")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(dialog.emitted("close")).toHaveLength(1);
    dialog.unmount();
  });
});
