import { describe, expect, it } from "vitest";
import { LIMITS } from "./limits.js";
import { isSheetId, JoinPayloadSchema, PatchCellsBodySchema, UpdatePayloadSchema } from "./schemas.js";

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
});
