export {
  A1Error,
  colToLetters,
  formatCell,
  formatRange,
  lettersToCol,
  MAX_COLS,
  MAX_ROWS,
  parseCell,
  parseRange,
  rangeContains,
  resolveRange,
} from "./a1.js";
export type { CellRef, Range, RangeSpec } from "./a1.js";
export { postMessage } from "./chat.js";
export { CommentError, Comments, foldComments } from "./comments.js";
export type { Comment, CommentRefusalReason, PlacedThread, Thread } from "./comments.js";
export { CONTENT_LIMITS, fitsGrid, isChatMessage, isCommentText, isTabName, ROOT_RULES } from "./content.js";
export type { RootRule } from "./content.js";
export { CsvError, exportCsv, importRows, parseCsv, toCsv, type CsvValues } from "./csv.js";
export type { ToCsvOptions } from "./csv.js";
export { fillRange } from "./fill.js";
export { columnFilter, FILTER_OPS, FilteredRows, filterChoices, hiddenRows, newFilter, shareColumnFilter, sharedFilter, shareFilter, sortedIndex, withColumn } from "./filter.js";
export type { ColumnFilter, Filter, FilterChoice, FilterOp } from "./filter.js";
export { findAll, MAX_FIND_LENGTH, replaceIn } from "./find.js";
export type { FindOptions } from "./find.js";
export type { FillOptions } from "./fill.js";
export { DEFAULT_FONT_SIZE, FONT_SIZES, isColor, isStyleValue, MAX_DECIMALS, NEUTRAL_COLOR, NO_STYLE, numberFormat, parseNumberFormat, safeColor, STYLE_ATTRS } from "./format.js";
export type { Align, CellStyle, NumberFormat, NumberFormatKind, VerticalAlign } from "./format.js";
export { cellText, CIRCULAR, displayValue, FormulaEngine, functionNames, shownFormat, shownRange } from "./formula.js";
export type { DateOrder } from "./dates.js";
export { idOfBytes, randomId } from "./ids.js";
export { formulaReferences, isFormula, shiftFormula, tabPrefix } from "./refs.js";
export type { FormulaReference, TabAxes, TabLookup } from "./refs.js";
export { cellKey, DEFAULT_COLS, DISCUSSION_TYPES, DEFAULT_ROWS, FIRST_TAB, initSheet, sheetTypes, splitCellKey, tabTypeName } from "./schema.js";
export { TabError, Workbook } from "./tabs.js";
export type { Tab } from "./tablist.js";
export type { ChatMessage, CommentAction, CommentEvent, CommentRequest, CommentStamp, InitOptions, SheetTypes } from "./schema.js";
export { restoreSheet } from "./restore.js";
export { MAX_SORT_KEYS, sortRows } from "./sort.js";
export { mergeAt, mergeCells, merges, spanMerges, unmergeCells } from "./merges.js";
export { moveCells } from "./move.js";
export type { SortKey, SortSpec } from "./sort.js";
export { summarize, type SelectionSummary } from "./summary.js";
export { cannotDeleteAll, INVALID_INPUT, Sheet, SheetLimitError } from "./sheet.js";
export type { CellIds, CellWrite } from "./sheet.js";
export { UpdateError, validateUpdate } from "./update.js";
export type { UpdateProblem, ValidateOptions } from "./update.js";
export { numberOf, valueOf } from "./value.js";
export type { CellError, CellValue } from "./value.js";
