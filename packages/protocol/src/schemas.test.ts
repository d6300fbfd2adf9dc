import { describe, expect, it } from "vitest";
import { LIMITS } from "./limits.js";
import { AuthorSchema, isSheetId, JoinPayloadSchema, LinkLabelSchema, PatchCellsBodySchema, TitleSchema, UpdatePayloadSchema } from "./schemas.js";

const id = "abcDEF0123456789_-xyzQ";

describe("schemas", () => {
  it("accepts exactly the sheet id pattern", () => {
    expect(id).toHaveLength(LIMITS.sheetIdLength);
    expect(isSheetId(id)).toBe(true);
    for (const bad of ["", id.slice(1), `${id}a`, `${id.slice(1)}/`, `${id.slice(1)}.`, null, 7]) {
      expect(isSheetId(bad)).toBe(false);
    }
  });

  it("takes binary as Uint8Array, Buffer or ArrayBuffer, and nothing else", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(UpdatePayloadSchema.parse({ sheetId: id, update: bytes }).update).toBe(bytes);
    expect(UpdatePayloadSchema.parse({ sheetId: id, update: bytes.buffer }).update).toEqual(bytes);
    for (const update of ["AQID", [1, 2, 3], { 0: 1 }, null]) {
      expect(UpdatePayloadSchema.safeParse({ sheetId: id, update }).success).toBe(false);
    }
  });

  it("checks join and PATCH payloads", () => {
    expect(JoinPayloadSchema.safeParse({ sheetId: id, protocolVersion: 1 }).success).toBe(true);
    expect(JoinPayloadSchema.safeParse({ sheetId: id, protocolVersion: "1" }).success).toBe(false);
    expect(PatchCellsBodySchema.safeParse({ cells: { A1: "x" } }).success).toBe(true);
    expect(PatchCellsBodySchema.safeParse({ cells: { A1: 1 } }).success).toBe(false);
    expect(PatchCellsBodySchema.safeParse({ cells: { A1: "x".repeat(LIMITS.maxCellInputLength + 1) } }).success).toBe(false);
  });

  it("refuses a title, an author or a link label with a NUL character, or a title of spaces", () => {
    expect(TitleSchema.safeParse("  Budget  ").data).toBe("Budget");
    expect(TitleSchema.safeParse("   ").success).toBe(false);
    expect(TitleSchema.safeParse("Bud\u0000get").error?.issues[0]?.message).toBe("must not contain a NUL character");
    expect(AuthorSchema.safeParse("Ann\u0000").success).toBe(false);
    expect(LinkLabelSchema.safeParse("\u0000").success).toBe(false);
    expect(LinkLabelSchema.safeParse("").success).toBe(true);
  });
});
