/**
 * Spreadsheet serial dates: days since 1899-12-30 (so 1900-03-01 is 61, as in Excel), with the
 * time of day as the fraction.
 */
const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(1899, 11, 30);
/** The largest span a JavaScript Date covers, in milliseconds either side of 1970. */
const MAX_DATE_MS = 8.64e15;

/** A serial date as `yyyy-mm-dd`, or null when it is outside the dates JavaScript can show. */
export function serialToIsoDate(serial: number): string | null {
  const ms = EPOCH + Math.floor(serial) * DAY_MS;
  return Number.isFinite(ms) && Math.abs(ms) < MAX_DATE_MS ? new Date(ms).toISOString().slice(0, 10) : null;
}

/** `yyyy-mm-dd` as a serial date, or null when it is not a real date. */
export function isoDateToSerial(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== text.trim()) return null;
  return Math.round((t - EPOCH) / DAY_MS);
}

/** A Date's serial date: its UTC date and time (exceljs), or its local ones (formulajs). */
export function dateToSerial(date: Date, zone: "utc" | "local"): number {
  if (zone === "utc") return (date.getTime() - EPOCH) / DAY_MS;
  const day = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
  const time = (date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds()) / 86_400;
  return (day - EPOCH) / DAY_MS + time;
}

/** How a typed date with slashes reads: `3/4/2025` is 4 March (`mdy`, as in the US) or 3 April (`dmy`). */
export type DateOrder = "mdy" | "dmy";
export const DATE_ORDERS: readonly DateOrder[] = ["mdy", "dmy"];

export function isDateOrder(value: unknown): value is DateOrder {
  return DATE_ORDERS.includes(value as DateOrder);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const TIME = String.raw`(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?`;
/** `2024-12-25`, `2024-12-25 14:30`, `2024-12-25T14:30:05`. */
const ISO = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME}$`);
/** `12/25/2024`, `25/12/24 9:15 PM`. */
const SLASHED = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})${TIME}$`);
/** `25 Dec 2024`, `25-Dec-2024`, `25 December 2024`. */
const DAY_MONTH = new RegExp(String.raw`^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})${TIME}$`);
/** `Dec 25, 2024`, `December 25 2024`. */
const MONTH_DAY = new RegExp(String.raw`^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})${TIME}$`);

/** A month's number (1–12) from its name or its first three letters, in English. */
function monthNamed(name: string): number | null {
  const lower = name.toLowerCase();
  const i = MONTHS.indexOf(lower.slice(0, 3));
  const full = new Date(Date.UTC(2000, i, 1)).toLocaleString("en-US", { month: "long", timeZone: "UTC" }).toLowerCase();
  return i >= 0 && (lower.length === 3 || full === lower || (i === 8 && lower === "sept")) ? i + 1 : null;
}

/** The serial of a date and time, or null unless it is a real one (no 31 April, no 25:00). */
function serialOf(year: number, month: number, day: number, time: (string | undefined)[]): number | null {
  const [h, m, s, half] = time;
  let hours = h === undefined ? 0 : Number(h);
  const minutes = m === undefined ? 0 : Number(m);
  const seconds = s === undefined ? 0 : Number(s);
  if (half) {
    if (hours < 1 || hours > 12) return null;
    hours = (hours % 12) + (half.toLowerCase() === "pm" ? 12 : 0);
  }
  if (hours > 23 || minutes > 59 || seconds > 59 || month < 1 || month > 12 || day < 1) return null;
  const t = Date.UTC(year, month - 1, day);
  const date = new Date(t);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return Math.round((t - EPOCH) / DAY_MS) + (hours * 3600 + minutes * 60 + seconds) / 86_400;
}

/**
 * A typed date, perhaps with a time, as a serial date: `2024-12-25`, `2024-12-25 14:30`,
 * `12/25/2024` (or `25/12/2024` with the `dmy` order), `25 Dec 2024`, `Dec 25, 2024`. Two-digit
 * years are 2000–2029 for 00–29 and 1930–1999 otherwise, as in Excel. Null for anything else.
 */
export function typedDateToSerial(text: string, order: DateOrder = "mdy"): number | null {
  const t = text.trim();
  if (t.length < 6 || t.length > 40 || !/\d/.test(t)) return null;
  let m = ISO.exec(t);
  if (m) return serialOf(Number(m[1]), Number(m[2]), Number(m[3]), m.slice(4));
  m = SLASHED.exec(t);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const y = Number(m[3]);
    const year = m[3]!.length === 2 ? (y < 30 ? 2000 + y : 1900 + y) : y;
    return order === "mdy" ? serialOf(year, a, b, m.slice(4)) : serialOf(year, b, a, m.slice(4));
  }
  m = DAY_MONTH.exec(t);
  if (m) {
    const month = monthNamed(m[2]!);
    return month === null ? null : serialOf(Number(m[3]), month, Number(m[1]), m.slice(4));
  }
  m = MONTH_DAY.exec(t);
  if (m) {
    const month = monthNamed(m[1]!);
    return month === null ? null : serialOf(Number(m[3]), month, Number(m[2]), m.slice(4));
  }
  return null;
}

/** A serial date with its time of day: `yyyy-mm-dd hh:mm`, or null outside the dates JavaScript can show. */
export function serialToIsoDateTime(serial: number): string | null {
  const date = serialToIsoDate(serial);
  if (date === null) return null;
  const minutes = Math.round((serial - Math.floor(serial)) * 1440);
  // A time that rounds up to midnight is the next day's 00:00.
  if (minutes === 1440) return `${serialToIsoDate(Math.floor(serial) + 1)} 00:00`;
  return `${date} ${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
