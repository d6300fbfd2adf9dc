import { describe, expect, it } from "vitest";
import { parseCell } from "./a1.js";
import { FormulaEngine } from "./formula.js";
import { replicas } from "./testing.js";

/**
 * Formula conformance: each case's expected value is the function's documented behaviour in
 * Excel. The sheet holds this data for every case:
 *   A1:A5 = 10, 20, 30, (empty), "text"     B1:B3 = 1, 2, 3
 *   D1:E3 = a lookup table: apple 1.5 / banana 0.25 / cherry 3
 *   F1:F2 = TRUE, FALSE                      G5 = a formula reading the case's own cell (H1)
 */
const DATA: Record<string, string> = {
  A1: "10", A2: "20", A3: "30", A5: "text",
  B1: "1", B2: "2", B3: "3",
  D1: "apple", E1: "1.5", D2: "banana", E2: "0.25", D3: "cherry", E3: "3",
  F1: "TRUE", F2: "FALSE",
  G5: "=H1*2",
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
  ["=10-4/2", 8],
  ["=(1+2)*(3+4)", 21],
  ["=2*-3", -6],
  ["=1.5e2", 150],
  ["=0.1+0.2", 0.3],
  ["=0.1+0.2=0.3", true],
  ["=5%*200", 10],
  ["=A4+1", 1],
  ['=A1&""', "10"],
  ['="2"+"3"', 5],
  ["=TRUE+1", 2],
  ['=1+"1e1"', 11],
  ["=INT(-3.5)", -4],
  ["=TRUNC(-3.5)", -3],
  ["=ROUNDUP(3.141,1)", 3.2],
  ["=ROUNDDOWN(-3.19,1)", -3.1],
  ["=CEILING(4.3,2)", 6],
  ["=FLOOR(4.7,2)", 4],
  ["=SIGN(-7)", -1],
  ["=PRODUCT(B1:B3,2)", 12],
  ["=QUOTIENT(7,2)", 3],
  ["=GCD(12,18)", 6],
  ["=LCM(4,6)", 12],
  ["=FACT(5)", 120],
  ["=EXP(0)", 1],
  ["=LN(EXP(2))", 2],
  ["=LOG(1000)", 3],
  ["=LOG10(0.01)", -2],
  ["=PI()", Math.PI],
  ["=SUMSQ(B1:B3)", 14],
  ["=EVEN(3)", 4],
  ["=ODD(2)", 3],
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
  ['=SEARCH("L","hello")', 3],
  ['=PROPER("hello wORLD")', "Hello World"],
  ['=REPLACE("abcdef",2,3,"X")', "aXef"],
  ['=TEXT(0.5,"0%")', "50%"],
  ['=TEXT(1234.5,"0.00")', "1234.50"],
  ['=VALUE("12.5")', 12.5],
  ['=CHAR(65)', "A"],
  ['=CODE("a")', 97],
  ['=LEN("")', 0],
  ['=T("x")', "x"],
  ['=T(1)', ""],
  ['=CONCATENATE(A1,"-",B1)', "10-1"],
  ['=SUBSTITUTE("aaa","a","b",2)', "aba"],
  ['=LEFT("abc")', "a"],
  ['=MID("abc",5,1)', ""],
  ['=UPPER(D1)', "APPLE"],
  ['=TRIM(" x ")&"|"', "x|"],
  ['=CLEAN("a"&CHAR(7)&"b")', "ab"],
  ['=NUMBERVALUE("1,000.5")', 1000.5],
  // logical
  ["=AND(TRUE,FALSE)", false],
  ["=OR(TRUE,FALSE)", true],
  ["=NOT(FALSE)", true],
  ['=IF(A1>5,"big","small")', "big"],
  ['=IFERROR(1/0,"none")', "none"],
  ["=F1", true],
  ["=AND(F1,NOT(F2))", true],
  ["=XOR(TRUE,TRUE)", false],
  ['=IF(A4="","empty","full")', "empty"],
  ['=IF(FALSE,1)', false],
  ['=IFS(A1>20,"a",A1>5,"b")', "b"],
  ['=IFNA(VLOOKUP("kiwi",D1:E3,2,FALSE),0)', 0],
  ['=ISBLANK(A4)', true],
  ['=ISNUMBER(A5)', false],
  ['=ISTEXT(A5)', true],
  ['=ISERROR(1/0)', true],
  ['=ISNA(MATCH("x",D1:D3,0))', true],
  ['=ISEVEN(4)', true],
  ['=ISLOGICAL(F1)', true],
  ['=SWITCH(2,1,"one",2,"two","other")', "two"],
  ['=CHOOSE(2,"a","b","c")', "b"],
  ["=TRUE()", true],
  ["=1=1.0", true],
  ['="a"="A"', true],
  ['="b">"a"', true],
  // lookup
  ["=VLOOKUP(\"banana\",D1:E3,2,FALSE)", 0.25],
  ["=INDEX(E1:E3,3)", 3],
  ['=MATCH("cherry",D1:D3,0)', 3],
  ['=HLOOKUP(20,A1:B3,1,FALSE)', { error: "#N/A" }],
  ['=VLOOKUP("b*",D1:E3,2,FALSE)', 0.25],
  ["=VLOOKUP(2,B1:B3,1,TRUE)", 2],
  ["=VLOOKUP(2.5,B1:B3,1)", 2],
  ['=INDEX(D1:E3,2,1)', "banana"],
  ['=INDEX(D1:E3,MATCH("cherry",D1:D3,0),2)', 3],
  ["=MATCH(25,A1:A3,1)", 2],
  ['=HLOOKUP("apple",D1:E3,3,FALSE)', "cherry"],
  ["=LOOKUP(2,B1:B3,A1:A3)", 20],
  ["=ROWS(A1:B3)", 3],
  ["=COLUMNS(A1:B3)", 2],
  ["=ROW()", 1],
  ["=COLUMN(C5)", 3],
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
  ["=SUM(A1,B1,5)", 16],
  ["=SUM(A1:B3)", 66],
  ["=SUM(A5)", 0],
  ["=AVERAGE(B1:B3)", 2],
  ["=AVERAGEA(A1:A5)", 15],
  ['=AVERAGEIF(A1:A3,">10")', 25],
  ['=COUNTIFS(A1:A3,">5",B1:B3,"<3")', 2],
  ['=SUMIFS(A1:A3,B1:B3,">1")', 50],
  ['=COUNTIF(D1:D3,"*an*")', 1],
  ["=LARGE(A1:A3,2)", 20],
  ["=SMALL(B1:B3,1)", 1],
  ["=MODE(1,2,2,3)", 2],
  ["=STDEV(B1:B3)", 1],
  ["=STDEVP(B1:B3)", Math.sqrt(2 / 3)],
  ["=VAR(B1:B3)", 1],
  ["=VARP(A1:A3)", 200 / 3],
  ["=RANK(20,A1:A3)", 2],
  ["=PERCENTILE(B1:B3,0.5)", 2],
  ["=QUARTILE(A1:A3,1)", 15],
  ["=CORREL(A1:A3,B1:B3)", 1],
  ["=GEOMEAN(1,4)", 2],
  ["=MAXA(F1:F2)", 1],
  // dates (serial numbers, 1900 system)
  ["=DATE(2024,1,31)", 45322],
  ["=YEAR(DATE(2024,5,6))", 2024],
  ["=MONTH(DATE(2024,5,6))", 5],
  ["=DAY(DATE(2024,5,6))", 6],
  ["=DATE(2024,13,1)", 45658],
  ["=DATE(2024,3,0)", 45351],
  ['=DATEVALUE("2024-01-15")', 45306],
  ["=WEEKDAY(DATE(2024,1,15))", 2],
  ["=WEEKDAY(DATE(2024,1,15),2)", 1],
  ["=EDATE(DATE(2024,1,31),1)", 45351],
  ["=EOMONTH(DATE(2024,1,15),0)", 45322],
  ["=DAYS(DATE(2024,3,1),DATE(2024,2,1))", 29],
  ["=NETWORKDAYS(DATE(2024,1,1),DATE(2024,1,7))", 5],
  ['=DATEDIF(DATE(2020,1,1),DATE(2024,1,1),"Y")', 4],
  ["=TIME(12,0,0)", 0.5],
  ["=HOUR(0.75)", 18],
  ["=MINUTE(TIME(1,30,0))", 30],
  ["=ISOWEEKNUM(DATE(2024,1,1))", 1],
  ["=DATE(2024,1,31)-DATE(2024,1,1)", 30],
  // nested
  ["=SUM(IF(A1>5,A1,0),MAX(B1:B3))", 13],
  ['=LEN(UPPER(LEFT("hello",3)))', 3],
  ['=IF(AND(A1>5,B1<5),SUM(A1:A3)/COUNT(A1:A3),0)', 20],
  ["=ROUND(AVERAGE(A1:A3)/3,1)", 6.7],
  ['=IFERROR(VLOOKUP("kiwi",D1:E3,2,FALSE),INDEX(E1:E3,1))', 1.5],
  ["=MAX(MIN(A1:A3),MIN(B1:B3))", 10],
  ['=UPPER(MID(D2,2,3))&LEN(D2)', "ANA6"],
  ["=SUM(B1:B3)^2-SUMSQ(B1:B3)", 22],
  // errors
  ["=1/0", { error: "#DIV/0!" }],
  ["=SQRT(-1)", { error: "#NUM!" }],
  ['="a"+1', { error: "#VALUE!" }],
  ["=NOPE(1)", { error: "#NAME?" }],
  ["=VLOOKUP(\"kiwi\",D1:E3,2,FALSE)", { error: "#N/A" }],
  ["=A5*2", { error: "#VALUE!" }],
  ["=MOD(1,0)", { error: "#DIV/0!" }],
  ["=AVERAGE(A4)", { error: "#DIV/0!" }],
  ["=LN(0)", { error: "#NUM!" }],
  ["=FACT(-1)", { error: "#NUM!" }],
  ['=DATE("x",1,1)', { error: "#VALUE!" }],
  ['=MID("abc",0,1)', { error: "#VALUE!" }],
  ["=INDEX(B1:B3,5)", { error: "#REF!" }],
  ["=SUM(#REF!)", { error: "#REF!" }],
  ["=#N/A", { error: "#N/A" }],
  ['=MATCH("x",D1:D3,0)', { error: "#N/A" }],
  ["=UNKNOWNFN()", { error: "#NAME?" }],
  ["=1/0+NOPE()", { error: "#NAME?" }],
  ["=SUM(1/0,2)", { error: "#DIV/0!" }],
  ["=IF(1/0,1,2)", { error: "#DIV/0!" }],
  ["=ISERR(#N/A)", false],
  ["=ERROR.TYPE(1/0)", 2],
  ["=(1", { error: "#ERROR!" }],
  // circular references: a formula reading its own cell, directly or through another
  ["=H1+1", { error: "#CIRCULAR!" }],
  ["=G5+1", { error: "#CIRCULAR!" }],
  ["=SUM(H1:H2)", { error: "#CIRCULAR!" }],
];

/**
 * Dynamic arrays: each case's formula is in H1 and its documented result spills from there (a
 * single value is one cell); the cells are read as the grid reads them.
 */
const ARRAY_CASES: [formula: string, expected: unknown[][]][] = [
  ["=SEQUENCE(3)", [[1], [2], [3]]],
  ["=SEQUENCE(2,3)", [[1, 2, 3], [4, 5, 6]]],
  ["=SEQUENCE(3,1,10,-2)", [[10], [8], [6]]],
  ["=SEQUENCE(0)", [[{ error: "#CALC!" }]]],
  ["=UNIQUE({1;2;1;3})", [[1], [2], [3]]],
  ["=UNIQUE(D1:D3)", [["apple"], ["banana"], ["cherry"]]],
  ["=SORT(B1:B3,1,-1)", [[3], [2], [1]]],
  ["=SORT(D1:E3,2)", [["banana", 0.25], ["apple", 1.5], ["cherry", 3]]],
  ["=SORTBY(D1:D3,E1:E3,-1)", [["cherry"], ["apple"], ["banana"]]],
  ["=FILTER(D1:D3,E1:E3>1)", [["apple"], ["cherry"]]],
  ["=FILTER(D1:E3,E1:E3<1)", [["banana", 0.25]]],
  ['=FILTER(D1:D3,E1:E3>5,"none")', [["none"]]],
  ['=XLOOKUP("banana",D1:D3,E1:E3)', [[0.25]]],
  ['=XLOOKUP("BANANA",D1:D3,D1:E3)', [["banana", 0.25]]],
  ["=XLOOKUP(2,E1:E3,D1:D3,,1)", [["cherry"]]],
  ["=XLOOKUP(1,E1:E3,D1:D3,,-1)", [["banana"]]],
  ['=XLOOKUP("kiwi",D1:D3,E1:E3)', [[{ error: "#N/A" }]]],
  ['=XMATCH("cherry",D1:D3)', [[3]]],
  ['=XMATCH("b*",D1:D3,2)', [[2]]],
  ["=TRANSPOSE(B1:B3)", [[1, 2, 3]]],
  ["=B1:B3*10", [[10], [20], [30]]],
  ["=B1:B3+{10;20;30}", [[11], [22], [33]]],
  ['=B1:B3&"x"', [["1x"], ["2x"], ["3x"]]],
  ["=-B1:B3", [[-1], [-2], [-3]]],
  ["=B1:B3>1", [[false], [true], [true]]],
  ["=B1:B2*{1,2}", [[1, 2], [2, 4]]],
  ["=B1:B3*{1;2}", [[1], [4], [{ error: "#N/A" }]]],
  ["={1,2;3,4}", [[1, 2], [3, 4]]],
  ["=SUM(B1:B3*B1:B3)", [[14]]],
  ["=SUMPRODUCT((B1:B3>1)*E1:E3)", [[3.25]]],
  ["=A3:A5", [[30], [0], ["text"]]],
];

/** A sheet holding DATA, and its engine. */
function dataSheet() {
  const [sheet] = replicas(1, { rows: 20, cols: 10 });
  sheet!.setCellsA1(DATA);
  return { sheet: sheet!, engine: FormulaEngine.of(sheet!) };
}

describe("formula conformance", () => {
  const { sheet, engine } = dataSheet();
  it.each(CASES)("%s", (formula, expected) => {
    sheet.setCellsA1({ H1: formula });
    const { row, col } = parseCell("H1");
    const value = engine.valueAt(row, col);
    if (typeof expected === "number") expect(value).toBeCloseTo(expected, 10);
    else expect(value).toEqual(expected);
  });
});

describe("dynamic array conformance", () => {
  const { sheet, engine } = dataSheet();
  it.each(ARRAY_CASES)("%s", (formula, expected) => {
    sheet.setCellsA1({ H1: formula });
    const { row, col } = parseCell("H1");
    const got = expected.map((line, i) => line.map((_, j) => engine.valueAt(row + i, col + j)));
    expect(got).toEqual(expected);
    // Nothing beyond it: the cell below the array (and right of it) is empty.
    expect(engine.valueAt(row + expected.length, col)).toBeNull();
    expect(engine.valueAt(row, col + expected[0]!.length)).toBeNull();
  });
});
