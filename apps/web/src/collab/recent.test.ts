// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { loadIdentity, saveIdentity } from "./identity";
import { loadRecent, rememberSheet } from "./recent";

beforeEach(() => localStorage.clear());

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
