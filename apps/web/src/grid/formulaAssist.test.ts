import { describe, expect, it } from "vitest";
import { functionNames } from "@cosheet/sheet";
import { callAt, expectsReference, namePrefixAt } from "./formulaAssist";
import { SIGNATURES, signatureParts } from "./signatures";

describe("formula assistance", () => {
  it("finds the function name being typed", () => {
    expect(namePrefixAt("=su", 3)).toEqual({ prefix: "SU", start: 1 });
    expect(namePrefixAt("=A1+VLO", 7)).toEqual({ prefix: "VLO", start: 4 });
    expect(namePrefixAt("=A1", 3)).toBeNull();
    expect(namePrefixAt('="su', 4)).toBeNull();
    expect(namePrefixAt("su", 2)).toBeNull();
    expect(namePrefixAt("=SUM(1", 6)).toBeNull();
  });

  it("knows the call and argument the caret is in", () => {
    expect(callAt("=SUM(A1,", 8)).toEqual({ name: "SUM", arg: 1 });
    expect(callAt("=IF(A1>2,MAX(B1,B2),", 20)).toEqual({ name: "IF", arg: 2 });
    expect(callAt("=IF(A1>2,MAX(B1,", 16)).toEqual({ name: "MAX", arg: 1 });
    expect(callAt('=LEN("a,(b"', 11)).toEqual({ name: "LEN", arg: 0 });
    expect(callAt("=1+2", 4)).toBeNull();
  });

  it("knows where a clicked cell can go", () => {
    expect(expectsReference("=", 1)).toBe(true);
    expect(expectsReference("=SUM(", 5)).toBe(true);
    expect(expectsReference("=A1 + ", 6)).toBe(true);
    expect(expectsReference("=A1", 3)).toBe(false);
    expect(expectsReference('="x', 3)).toBe(false);
    expect(expectsReference("hello", 5)).toBe(false);
  });
});

describe("signatures", () => {
  it("describe only functions formulas can call, marking the current argument", () => {
    const names = new Set(functionNames());
    expect(Object.keys(SIGNATURES).filter((n) => !names.has(n))).toEqual([]);
    const parts = signatureParts("IF", 1);
    expect(parts.map((p) => p.text).join("")).toBe("IF(condition, value_if_true, [value_if_false])");
    expect(parts.find((p) => p.current)?.text).toBe("value_if_true");
    expect(signatureParts("SUM", 7).find((p) => p.current)?.text).toBe("[number2, …]");
    expect(signatureParts("NOPE", 0).map((p) => p.text)).toEqual(["NOPE(…)"]);
  });
});
