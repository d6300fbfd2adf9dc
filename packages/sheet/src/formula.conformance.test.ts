import { describe, expect, it } from "vitest";
import { parseCell } from "./a1.js";
import { FormulaEngine } from "./formula.js";
import { replicas } from "./testing.js";

/**
 * Formula conformance: each case's expected value is the function's documented behaviour in
 * Excel. The sheet holds this data for every case:
 *   A1:A5 = 10, 20, 30, (empty), "text"     B1:B3 = 1, 2, 3
 *   D1:E3 = a lookup table: apple 1.5 / banana 0.25 / cherry 3
 */
const DATA: Record<string, string> = {
  A1: "10", A2: "20", A3: "30", A5: "text",
  B1: "1", B2: "2", B3: "3",
  D1: "apple", E1: "1.5", D2: "banana", E2: "0.25", D3: "cherry", E3: "3",
  F1: "TRUE", F2: "FALSE",
};

const CASES: [formula: string, expected: unknown][] = [
  // arithmetic and precedence
  ["=2+3*4", 14],
  ["=(2+3)*4", 20],
  ["=10/4", 2.5],
  ["=2^3^2", 64],
  ["=-2^2", 4],
  ["=50%", 0.5],
  ["=7-2-1", 4],
  ["=1+2=3", true],
  ["=3>2", true],
  ["=2<>2", false],
  ["=A1+B1*2", 12],
  ["=A1/B2", 5],
  // text
  ['="a"&"b"&1', "ab1"],
  ['=CONCATENATE("x","y","z")', "xyz"],
  ['=LEFT("hello",2)', "he"],
  ['=RIGHT("hello",3)', "llo"],
  ['=MID("hello",2,3)', "ell"],
  ['=LEN("hello")', 5],
  ['=UPPER("Ab")', "AB"],
  ['=LOWER("Ab")', "ab"],
  ['=TRIM("  a   b  ")', "a b"],
  ['=SUBSTITUTE("a-b-c","-","+")', "a+b+c"],
  ['=REPT("ab",3)', "ababab"],
  ['=FIND("l","hello")', 3],
  ['=EXACT("a","A")', false],
  // logical
  ["=AND(TRUE,FALSE)", false],
  ["=OR(TRUE,FALSE)", true],
  ["=NOT(FALSE)", true],
  ['=IF(A1>5,"big","small")', "big"],
  ['=IFERROR(1/0,"none")', "none"],
  ["=F1", true],
  ["=AND(F1,NOT(F2))", true],
  // lookup
  ["=VLOOKUP(\"banana\",D1:E3,2,FALSE)", 0.25],
  ["=INDEX(E1:E3,3)", 3],
  ['=MATCH("cherry",D1:D3,0)', 3],
  ['=HLOOKUP(20,A1:B3,1,FALSE)', { error: "#N/A" }],
  // statistical and ranges
  ["=SUM(A1:A5)", 60],
  ["=AVERAGE(A1:A5)", 20],
  ["=COUNT(A1:A5)", 3],
  ["=COUNTA(A1:A5)", 4],
  ["=COUNTBLANK(A1:A5)", 1],
  ["=MAX(A1:A3,B1:B3)", 30],
  ["=MIN(A1:A3,B1:B3)", 1],
  ["=MEDIAN(B1:B3,A1)", 2.5],
  ["=SUMPRODUCT(B1:B3,A1:A3)", 140],
  ['=COUNTIF(A1:A3,">15")', 2],
  ['=SUMIF(A1:A3,">15")', 50],
  ["=ROUND(2.345,2)", 2.35],
  ["=ABS(-3)", 3],
  ["=MOD(10,3)", 1],
  ["=POWER(2,10)", 1024],
  ["=SQRT(16)", 4],
  // dates (serial numbers, 1900 system)
  ["=DATE(2024,1,31)", 45322],
  ["=YEAR(DATE(2024,5,6))", 2024],
  ["=MONTH(DATE(2024,5,6))", 5],
  ["=DAY(DATE(2024,5,6))", 6],
  // nested
  ["=SUM(IF(A1>5,A1,0),MAX(B1:B3))", 13],
  ['=LEN(UPPER(LEFT("hello",3)))', 3],
  // errors
  ["=1/0", { error: "#DIV/0!" }],
  ["=SQRT(-1)", { error: "#NUM!" }],
  ['="a"+1', { error: "#VALUE!" }],
  ["=NOPE(1)", { error: "#NAME?" }],
  ["=VLOOKUP(\"kiwi\",D1:E3,2,FALSE)", { error: "#N/A" }],
  ["=A5*2", { error: "#VALUE!" }],
];

describe("formula conformance", () => {
  const [sheet] = replicas(1, { rows: 20, cols: 10 });
  sheet!.setCellsA1(DATA);
  const engine = FormulaEngine.of(sheet!);
  it.each(CASES)("%s", (formula, expected) => {
    sheet!.setCellsA1({ H1: formula });
    const { row, col } = parseCell("H1");
    const value = engine.valueAt(row, col);
    if (typeof expected === "number") expect(value).toBeCloseTo(expected, 10);
    else expect(value).toEqual(expected);
  });
});
