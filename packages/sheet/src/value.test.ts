import { describe, expect, it } from "vitest";
import { FormulaEngine } from "./formula.js";
import { replicas } from "./testing.js";
import { numberOf, valueOf } from "./value.js";

describe("what a typed input means", () => {
  it("reads numbers as people type them", () => {
    expect(numberOf("42")).toBe(42);
    expect(numberOf(" -3.5 ")).toBe(-3.5);
    expect(numberOf("1e3")).toBe(1000);
    expect(numberOf("50%")).toBe(0.5);
    expect(numberOf("12.5 %")).toBe(0.125);
    expect(numberOf("1,234.5")).toBe(1234.5);
    expect(numberOf("$1,200")).toBe(1200);
    expect(numberOf("-$3.50")).toBe(-3.5);
    expect(numberOf("$-3.50")).toBe(-3.5);
    expect(numberOf("2024-01-15")).toBe(45306);
  });

  it("leaves text that only looks a little like a number as text", () => {
    for (const text of ["1,23", "12,34,567", "$", "%", "2024-02-30", "1.2.3", "--1", "-$-1", "abc", "1 000"]) {
      expect(numberOf(text), text).toBeNull();
    }
    expect(valueOf("true")).toBe(true);
    expect(valueOf("1,23")).toBe("1,23");
    expect(valueOf("")).toBeNull();
  });

  it("gives formulas the numbers, while the cell keeps what was typed", () => {
    const [sheet] = replicas(1);
    sheet!.setCellsA1({ A1: "$1,200", A2: "15%", A3: "2024-01-15", B1: "=A1*A2", B2: "=A3+1" });
    const engine = FormulaEngine.of(sheet!);
    expect(engine.valueAt(0, 1)).toBeCloseTo(180, 10);
    expect(engine.valueAt(1, 1)).toBe(45307);
    expect(sheet!.getInput(0, 0)).toBe("$1,200");
  });
});
