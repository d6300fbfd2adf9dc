import { serialToIsoDate, serialToIsoDateTime, typedDateToSerial } from "./dates.js";
import type { CellValue } from "./value.js";

export type Align = "left" | "center" | "right";
export type VerticalAlign = "top" | "middle" | "bottom";

/** Font sizes a cell may have, in points (the grid's text is 10 pt). */
export const FONT_SIZES = [6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 24, 28, 32, 36, 48, 72] as const;
export const DEFAULT_FONT_SIZE = 10;

/**
 * How a cell looks. Each attribute is stored on its own (see `Sheet.setStyle`), so two people
 * setting bold and a colour on the same cell at once both keep their change.
 */
export interface CellStyle {
  bold?: boolean;
  italic?: boolean;
  /** Text colour, `#rrggbb`. */
  color?: string;
  /** Fill (background) colour, `#rrggbb`. */
  fill?: string;
  align?: Align;
  /** An Excel number format code (see {@link numberFormat}); absent means General. */
  numFmt?: string;
  underline?: boolean;
  strike?: boolean;
  /** Text too long for the column wraps onto more lines, and the row grows to show them. */
  wrap?: boolean;
  /** Where the text sits in a row taller than it: at the bottom unless set, as in Excel. */
  valign?: VerticalAlign;
  /** In points, one of {@link FONT_SIZES}. */
  fontSize?: number;
}

export type StyleAttr = keyof CellStyle;
export const STYLE_ATTRS: readonly StyleAttr[] = ["bold", "italic", "color", "fill", "align", "numFmt", "underline", "strike", "wrap", "valign", "fontSize"];

/** A formatting patch that removes every attribute (see `Sheet.setStyle`). */
export const NO_STYLE = Object.freeze(Object.fromEntries(STYLE_ATTRS.map((attr) => [attr, undefined]))) as Readonly<CellStyle>;

export type NumberFormatKind = "general" | "number" | "percent" | "currency" | "date";

export interface NumberFormat {
  kind: NumberFormatKind;
  /** Digits after the decimal point (0..10); unused for general and date. */
  decimals: number;
}

const COLOR = /^#[0-9a-f]{6}$/i;

/** A colour as the sheet stores and shows it: `#rrggbb`, nothing else (no CSS can hide in it). */
export function isColor(value: unknown): value is string {
  return typeof value === "string" && COLOR.test(value);
}

/** The colour shown for a person whose own is not a colour (or who left). */
export const NEUTRAL_COLOR = "#6b7772";

/** A colour safe to put in a style: the value if it is `#rrggbb`, else {@link NEUTRAL_COLOR}. */
export function safeColor(value: unknown): string {
  return isColor(value) ? value : NEUTRAL_COLOR;
}
const NUMBER_CODE = /^(\$)?(#,##)?0(?:\.(0{1,10}))?(%)?$/;
export const DATE_CODE = "yyyy-mm-dd";
/** A date with its time of day (what NOW() and a typed `2024-12-25 14:30` show). */
export const DATETIME_CODE = "yyyy-mm-dd hh:mm";
export const MAX_DECIMALS = 10;

/** The Excel format code of a number format: `#,##0.00`, `0.0%`, `$#,##0.00`, `yyyy-mm-dd`. */
export function numberFormat({ kind, decimals }: NumberFormat): string | undefined {
  const d = Math.max(0, Math.min(MAX_DECIMALS, Math.round(decimals)));
  const fraction = d > 0 ? `.${"0".repeat(d)}` : "";
  switch (kind) {
    case "general":
      return undefined;
    case "number":
      return `#,##0${fraction}`;
    case "percent":
      return `0${fraction}%`;
    case "currency":
      return `$#,##0${fraction}`;
    case "date":
      return DATE_CODE;
  }
}

/** A format code read back as a kind and decimals; codes this sheet does not know read as general. */
export function parseNumberFormat(code: string | undefined): NumberFormat {
  if (code === DATE_CODE || code === DATETIME_CODE) return { kind: "date", decimals: 0 };
  const m = code === undefined ? null : NUMBER_CODE.exec(code);
  if (!m) return { kind: "general", decimals: 0 };
  const decimals = m[3]?.length ?? 0;
  if (m[4]) return { kind: "percent", decimals };
  if (m[1]) return { kind: "currency", decimals };
  return { kind: "number", decimals };
}

/** True when a stored attribute value is one this sheet accepts (other writers may be buggy). */
export function isStyleValue(attr: StyleAttr, value: unknown): boolean {
  switch (attr) {
    case "bold":
    case "italic":
    case "underline":
    case "strike":
    case "wrap":
      return value === true;
    case "valign":
      return value === "top" || value === "middle" || value === "bottom";
    case "fontSize":
      return (FONT_SIZES as readonly unknown[]).includes(value);
    case "color":
    case "fill":
      return isColor(value);
    case "align":
      return value === "left" || value === "center" || value === "right";
    case "numFmt":
      return typeof value === "string" && (value === DATE_CODE || value === DATETIME_CODE || NUMBER_CODE.test(value));
  }
}

const numberFormatters = new Map<string, Intl.NumberFormat>();

function formatter(kind: "number" | "percent" | "currency", decimals: number): Intl.NumberFormat {
  const key = `${kind}:${decimals}`;
  let f = numberFormatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat("en-US", {
      style: kind === "number" ? "decimal" : kind,
      currency: "USD",
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    numberFormatters.set(key, f);
  }
  return f;
}

/**
 * The number format a typed input implies (`12.5%` percent, `$1,200.50` currency, `1,234` a
 * grouped number, `2024-01-15` or `1/15/2024` a date, `2024-01-15 9:30` a date and time), for
 * writers such as XLSX that store the number alone, and for formulas counting from such a cell.
 */
export function impliedFormat(input: string): string | undefined {
  const text = input.trim();
  const date = typedDateToSerial(text, "mdy") ?? typedDateToSerial(text, "dmy");
  if (date !== null) return Number.isInteger(date) && !/:/.test(text) ? DATE_CODE : DATETIME_CODE;
  const decimals = /\.(\d+)/.exec(text)?.[1]?.length ?? 0;
  if (text.endsWith("%")) return numberFormat({ kind: "percent", decimals });
  if (text.includes("$")) return numberFormat({ kind: "currency", decimals });
  if (text.includes(",")) return numberFormat({ kind: "number", decimals });
  return undefined;
}

/**
 * A number as its format shows it. Anything that is not a number (text, logicals, errors) is
 * shown as it is by the caller; this returns null for those.
 */
export function formatNumber(value: CellValue, code: string | undefined): string | null {
  if (typeof value !== "number" || code === undefined) return null;
  const { kind, decimals } = parseNumberFormat(code);
  if (kind === "general") return null;
  if (kind === "date") return (code === DATETIME_CODE ? serialToIsoDateTime(value) : serialToIsoDate(value)) ?? "#VALUE!";
  return formatter(kind, decimals).format(value);
}
