/**
 * Argument lists of common functions, shown while a formula is typed (`[x]` is optional, `…`
 * repeats). Other functions show their name alone.
 */
export const SIGNATURES: Record<string, string[]> = {
  ABS: ["number"],
  AND: ["logical1", "[logical2, …]"],
  AVERAGE: ["number1", "[number2, …]"],
  AVERAGEIF: ["range", "criterion", "[average_range]"],
  AVERAGEIFS: ["average_range", "criteria_range1", "criterion1", "[criteria_range2, criterion2, …]"],
  CEILING: ["number", "significance"],
  CHOOSE: ["index", "value1", "[value2, …]"],
  CONCAT: ["text1", "[text2, …]"],
  CONCATENATE: ["text1", "[text2, …]"],
  COUNT: ["value1", "[value2, …]"],
  COUNTA: ["value1", "[value2, …]"],
  COUNTBLANK: ["range"],
  COUNTIF: ["range", "criterion"],
  COUNTIFS: ["criteria_range1", "criterion1", "[criteria_range2, criterion2, …]"],
  DATE: ["year", "month", "day"],
  DATEDIF: ["start_date", "end_date", "unit"],
  DATEVALUE: ["date_text"],
  DAY: ["date"],
  DAYS: ["end_date", "start_date"],
  EDATE: ["start_date", "months"],
  EOMONTH: ["start_date", "months"],
  EXACT: ["text1", "text2"],
  FIND: ["find_text", "within_text", "[start_num]"],
  FLOOR: ["number", "significance"],
  HLOOKUP: ["lookup_value", "table", "row_index", "[approximate]"],
  HOUR: ["time"],
  IF: ["condition", "value_if_true", "[value_if_false]"],
  IFERROR: ["value", "value_if_error"],
  IFNA: ["value", "value_if_na"],
  IFS: ["condition1", "value1", "[condition2, value2, …]"],
  INDEX: ["range", "row", "[column]"],
  INT: ["number"],
  ISBLANK: ["value"],
  ISERROR: ["value"],
  ISNUMBER: ["value"],
  ISTEXT: ["value"],
  LARGE: ["range", "k"],
  LEFT: ["text", "[count]"],
  LEN: ["text"],
  LOOKUP: ["lookup_value", "lookup_range", "[result_range]"],
  LOWER: ["text"],
  MATCH: ["lookup_value", "range", "[match_type]"],
  MAX: ["number1", "[number2, …]"],
  MEDIAN: ["number1", "[number2, …]"],
  MID: ["text", "start", "count"],
  MIN: ["number1", "[number2, …]"],
  MINUTE: ["time"],
  MOD: ["dividend", "divisor"],
  MONTH: ["date"],
  NETWORKDAYS: ["start_date", "end_date", "[holidays]"],
  NOT: ["logical"],
  NOW: [],
  OR: ["logical1", "[logical2, …]"],
  POWER: ["base", "exponent"],
  PRODUCT: ["number1", "[number2, …]"],
  PROPER: ["text"],
  RANK: ["number", "range", "[ascending]"],
  REPLACE: ["text", "start", "count", "new_text"],
  REPT: ["text", "times"],
  RIGHT: ["text", "[count]"],
  ROUND: ["number", "digits"],
  ROUNDDOWN: ["number", "digits"],
  ROUNDUP: ["number", "digits"],
  SEARCH: ["find_text", "within_text", "[start_num]"],
  SMALL: ["range", "k"],
  SQRT: ["number"],
  STDEV: ["number1", "[number2, …]"],
  SUBSTITUTE: ["text", "search_for", "replace_with", "[occurrence]"],
  SUM: ["number1", "[number2, …]"],
  SUMIF: ["range", "criterion", "[sum_range]"],
  SUMIFS: ["sum_range", "criteria_range1", "criterion1", "[criteria_range2, criterion2, …]"],
  SUMPRODUCT: ["array1", "[array2, …]"],
  SWITCH: ["expression", "case1", "value1", "[case2, value2, …]", "[default]"],
  TEXT: ["value", "format"],
  TEXTJOIN: ["delimiter", "ignore_empty", "text1", "[text2, …]"],
  TODAY: [],
  TRIM: ["text"],
  TRUNC: ["number", "[digits]"],
  UPPER: ["text"],
  VALUE: ["text"],
  VLOOKUP: ["lookup_value", "table", "column_index", "[approximate]"],
  WEEKDAY: ["date", "[type]"],
  YEAR: ["date"],
};

/** The parts of a call's signature, with the argument at `arg` marked as current. */
export function signatureParts(name: string, arg: number): { text: string; current: boolean }[] {
  const args = SIGNATURES[name];
  if (!args) return [{ text: `${name}(…)`, current: false }];
  // Past the last listed argument, a repeating last argument stays current.
  const current = Math.min(arg, args.length - 1);
  const parts: { text: string; current: boolean }[] = [{ text: `${name}(`, current: false }];
  args.forEach((a, i) => {
    if (i > 0) parts.push({ text: ", ", current: false });
    parts.push({ text: a, current: i === current });
  });
  parts.push({ text: ")", current: false });
  return parts;
}
