/**
 * The file work that runs on worker threads (see pool.ts): each task gets plain data (a sheet's
 * encoded state, an upload's body) and answers with plain data (bytes, or updates to apply), so
 * nothing of the server's own state is shared.
 */
import * as Y from "yjs";
import { ErrorCode, type ErrorBody } from "@cosheet/protocol";
import {
  CONTENT_LIMITS,
  CsvError,
  exportCsv,
  fitsGrid,
  formatRange,
  importRows,
  initSheet,
  parseCsv,
  Sheet,
  SheetLimitError,
  type CellRef,
} from "@cosheet/sheet";
import { importXlsx, readXlsx, writeXlsx, XlsxError, type XlsxSheet } from "@cosheet/sheet/xlsx";

/** Cells written per update of an import: each is applied in its own turn of the event loop. */
export const IMPORT_BAND_CELLS = 50_000;

function docOf(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/** The sheet as an XLSX file. */
export async function xlsxExport(input: { state: Uint8Array }): Promise<Uint8Array> {
  return writeXlsx(Sheet.of(docOf(input.state)));
}

/** The sheet's used range as CSV text. */
export function csvExport(input: { state: Uint8Array; neutralizeFormulas: boolean }): string {
  return exportCsv(Sheet.of(docOf(input.state)), { neutralizeFormulas: input.neutralizeFormulas });
}

export interface UploadInput {
  /** The sheet to write into; omitted for a new sheet, which the task makes. */
  state?: Uint8Array;
  /** The title of a new sheet; an XLSX worksheet's name when omitted. */
  title?: string;
  kind: "csv" | "xlsx";
  body: string | Uint8Array;
  at: CellRef;
  maxCells: number;
}

export type UploadResult =
  | {
      ok: true;
      /** A new sheet's first state (only when no `state` was given). */
      initial?: Uint8Array;
      /** The import as updates of at most {@link IMPORT_BAND_CELLS} cells each, in order. */
      updates: Uint8Array[];
      rows: number;
      cols: number;
      /** The range written, or null for an empty file. */
      range: string | null;
      /** Rows and columns the import adds to the sheet. */
      added: { rows: number; cols: number };
    }
  | { ok: false; error: ErrorBody };

type Parsed = { rows: number; cols: number; name?: string; bands(): Iterable<(sheet: Sheet, at: CellRef) => void> };

function bandRows(cols: number): number {
  return Math.max(1, Math.floor(IMPORT_BAND_CELLS / Math.max(1, cols)));
}

function parseCsvUpload(text: string, maxCells: number): Parsed {
  const rows = parseCsv(text, ",", maxCells);
  const cols = rows.reduce((w, r) => Math.max(w, r.length), 0);
  const step = bandRows(cols);
  return {
    rows: rows.length,
    cols,
    *bands() {
      for (let i = 0; i < rows.length; i += step) {
        const band = rows.slice(i, i + step);
        yield (sheet, at) => importRows(sheet, band, { row: at.row + i, col: at.col });
      }
    },
  };
}

async function parseXlsxUpload(bytes: Uint8Array, maxCells: number): Promise<Parsed> {
  const data = await readXlsx(bytes, maxCells);
  const cols = data.rows.reduce((w, r) => Math.max(w, r.length), 0);
  const step = bandRows(cols);
  return {
    rows: data.rows.length,
    cols,
    name: data.name,
    *bands() {
      for (let i = 0; i < data.rows.length; i += step) {
        // Widths and frozen panes go with the first band; each band's styles with its rows.
        const band: XlsxSheet = {
          ...data,
          rows: data.rows.slice(i, i + step),
          styles: data.styles.filter((s) => s.row >= i && s.row < i + step).map((s) => ({ ...s, row: s.row - i })),
          colWidths: i === 0 ? data.colWidths : [],
          frozen: i === 0 ? data.frozen : { rows: 0, cols: 0 },
        };
        yield (sheet, at) => importXlsx(sheet, band, { row: at.row + i, col: at.col });
      }
    },
  };
}

function refusal(err: unknown): ErrorBody | null {
  if (err instanceof CsvError) return { code: err.tooLarge ? ErrorCode.ImportTooLarge : ErrorCode.InvalidCsv, message: err.message };
  if (err instanceof XlsxError) return { code: err.tooLarge ? ErrorCode.ImportTooLarge : ErrorCode.InvalidXlsx, message: err.message };
  if (err instanceof SheetLimitError) return { code: ErrorCode.InvalidRange, message: err.message };
  return null;
}

/**
 * Reads an upload and writes it into a copy of the sheet (or a new sheet), answering the updates
 * that make the same change, or why the file was refused. Nothing is written anywhere unless the
 * whole file was read and fits.
 */
export async function importUpload(input: UploadInput): Promise<UploadResult> {
  try {
    const parsed =
      input.kind === "xlsx"
        ? await parseXlsxUpload(input.body as Uint8Array, input.maxCells)
        : parseCsvUpload(input.body as string, input.maxCells);
    let initial: Uint8Array | undefined;
    const doc = new Y.Doc();
    if (input.state) {
      Y.applyUpdate(doc, input.state);
    } else {
      initSheet(doc, { title: (input.title ?? parsed.name ?? "").trim().slice(0, CONTENT_LIMITS.title) || undefined });
      initial = Y.encodeStateAsUpdate(doc);
    }
    const sheet = Sheet.of(doc);
    const { at } = input;
    if (parsed.rows === 0 || parsed.cols === 0) {
      return { ok: true, initial, updates: [], rows: 0, cols: 0, range: null, added: { rows: 0, cols: 0 } };
    }
    const size = { rows: sheet.rowCount, cols: sheet.colCount };
    const end = { row: at.row + parsed.rows - 1, col: at.col + parsed.cols - 1 };
    if (!fitsGrid(Math.max(end.row + 1, sheet.rowCount), Math.max(end.col + 1, sheet.colCount))) {
      const where = `${parsed.rows} rows and ${parsed.cols} columns at ${formatRange({ start: at, end: at })}`;
      // Into a sheet, the place is wrong; as a new sheet, the file is too large.
      const code = input.state ? ErrorCode.InvalidRange : ErrorCode.ImportTooLarge;
      return { ok: false, error: { code, message: `${where} go past the sheet's size limits` } };
    }
    const updates: Uint8Array[] = [];
    const collect = (update: Uint8Array) => updates.push(update);
    doc.on("update", collect);
    for (const write of parsed.bands()) doc.transact(() => write(sheet, at));
    doc.off("update", collect);
    const added = { rows: sheet.rowCount - size.rows, cols: sheet.colCount - size.cols };
    return { ok: true, initial, updates, rows: parsed.rows, cols: parsed.cols, range: formatRange({ start: at, end }), added };
  } catch (err) {
    const error = refusal(err);
    if (error) return { ok: false, error };
    throw err;
  }
}
