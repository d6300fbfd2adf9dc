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
