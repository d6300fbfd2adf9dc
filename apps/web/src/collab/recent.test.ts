// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { loadIdentity, saveIdentity } from "./identity";
import { forgetLink, linkFor, loadRecent, rememberLink, rememberSheet } from "./recent";

beforeEach(() => localStorage.clear());

/** A well-formed link secret (32 URL-safe characters) ending in `tag`. */
const secret = (tag: string) => tag.padStart(32, "x");

describe("recent sheets", () => {
  it("keeps the newest first, once each, and survives junk", () => {
    rememberSheet("a", "A");
    rememberSheet("b", "B");
    rememberSheet("a", "A renamed");
    expect(loadRecent().map((s) => [s.id, s.title])).toEqual([
      ["a", "A renamed"],
      ["b", "B"],
    ]);
    localStorage.setItem("cosheet:recent", "{not json");
    expect(loadRecent()).toEqual([]);
  });

  it("loads entries written before links as opened by their plain address, with edit access", () => {
    localStorage.setItem("cosheet:recent", JSON.stringify([{ id: "old", title: "Old", openedAt: 1 }]));
    expect(loadRecent()[0]?.links).toEqual([{ role: "edit" }]);
    expect(linkFor("old", undefined)).toEqual({ role: "edit" });
    // Once a better link is opened, it is the one used; the plain address stays behind it.
    rememberLink("old", { secret: secret("o"), role: "owner" });
    expect(linkFor("old", undefined)).toEqual({ secret: secret("o"), role: "owner" });
  });

  it("keeps a sheet's links when its title changes, and drops malformed ones", () => {
    rememberLink("a", { secret: secret("e"), role: "edit" });
    rememberSheet("a", "A");
    expect(loadRecent()[0]).toMatchObject({ title: "A", links: [{ secret: secret("e"), role: "edit" }] });
    localStorage.setItem(
      "cosheet:recent",
      JSON.stringify([{ id: "a", title: "A", openedAt: 1, links: [{ secret: "short" }, { role: "boss" }, { secret: secret("v"), role: "view" }] }]),
    );
    expect(loadRecent()[0]?.links).toEqual([{ secret: secret("v"), role: "view" }]);
  });
});

describe("which link opens a sheet", () => {
  it("is the one in the address when there is one, with the role remembered for it", () => {
    expect(linkFor("a", secret("v"))).toEqual({ secret: secret("v") });
    rememberLink("a", { secret: secret("v"), role: "view" });
    rememberLink("a", { secret: secret("o"), role: "owner" });
    expect(linkFor("a", secret("v"))).toEqual({ secret: secret("v"), role: "view" });
  });

  it("is the remembered link of the highest role without one, or the plain address", () => {
    expect(linkFor("a", undefined)).toEqual({});
    rememberLink("a", { secret: secret("c"), role: "comment" });
    rememberLink("a", { secret: secret("o"), role: "owner" });
    // An owner trying their own view link does not lose the owner link.
    rememberLink("a", { secret: secret("v") });
    rememberLink("a", { secret: secret("v"), role: "view" });
    expect(linkFor("a", undefined)).toEqual({ secret: secret("o"), role: "owner" });
    expect(loadRecent()[0]?.links.map((l) => l.role)).toEqual(["owner", "comment", "view"]);
  });

  it("ranks a link not yet joined below every role, and keeps its role once known", () => {
    rememberLink("a", { secret: secret("n") });
    expect(linkFor("a", undefined)).toEqual({ secret: secret("n") });
    rememberLink("a", { secret: secret("v"), role: "view" });
    expect(linkFor("a", undefined)).toEqual({ secret: secret("v"), role: "view" });
    rememberLink("a", { secret: secret("n"), role: "edit" });
    rememberLink("a", { secret: secret("n") });
    expect(linkFor("a", undefined)).toEqual({ secret: secret("n"), role: "edit" });
  });

  it("keeps a few links per sheet, dropping the lowest roles first", () => {
    rememberLink("a", { secret: secret("o"), role: "owner" });
    for (let i = 0; i < 10; i++) rememberLink("a", { secret: secret(`v${i}`), role: "view" });
    const links = loadRecent()[0]!.links;
    expect(links.length).toBeLessThan(10);
    expect(links[0]).toEqual({ secret: secret("o"), role: "owner" });
    // The most recently opened view links are the ones kept.
    expect(links[1]).toEqual({ secret: secret("v9"), role: "view" });
  });

  it("forgets a link that no longer gives access, and a sheet left with none", () => {
    rememberLink("a", { secret: secret("e"), role: "edit" });
    rememberLink("a", { secret: secret("v"), role: "view" });
    forgetLink("a", secret("e"));
    expect(linkFor("a", undefined)).toEqual({ secret: secret("v"), role: "view" });
    forgetLink("a", secret("v"));
    expect(loadRecent()).toEqual([]);
  });

  it("keeps the sheets this browser owns when the list is full", () => {
    rememberLink("owned", { secret: secret("o"), role: "owner" });
    for (let i = 0; i < 60; i++) rememberLink(`s${i}`, { secret: secret("v"), role: "view" });
    const ids = loadRecent().map((s) => s.id);
    expect(ids).toContain("owned");
    expect(ids[0]).toBe("s59");
    expect(ids).not.toContain("s0");
  });

  it("never drops an owner link, however many sheets this browser owns", () => {
    for (let i = 0; i < 70; i++) rememberLink(`own${i}`, { secret: secret("o"), role: "owner" });
    expect(loadRecent().filter((s) => s.links[0]?.role === "owner")).toHaveLength(70);
  });
});

describe("identity", () => {
  it("is created once and remembered", () => {
    const first = loadIdentity();
    expect(first.name).toMatch(/^Anonymous /);
    expect(loadIdentity()).toEqual(first);
    saveIdentity({ name: "Ada", color: "#000000" });
    expect(loadIdentity()).toEqual({ name: "Ada", color: "#000000" });
  });
});
