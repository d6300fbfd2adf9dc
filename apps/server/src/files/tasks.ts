/**
 * The file work that runs on worker threads (see pool.ts): each task gets plain data (a sheet's
 * encoded state, an upload's body) and answers with plain data (bytes, or updates to apply), so
 * nothing of the server's own state is shared.
 */
import * as Y from "yjs";
import { ErrorCode, type ErrorBody } from "@cosheet/protocol";
import { CsvError, exportCsv, parseCsv, Sheet, type CsvValues } from "@cosheet/sheet";
import { readXlsx, writeXlsx, XlsxError, type XlsxSheet } from "@cosheet/sheet/xlsx";

/** Cells in one band of an import: each band is written in its own turn of the event loop. */
export const IMPORT_BAND_CELLS = 50_000;

/** One band of an import: its rows from `offset` (0-based, relative to where it is written). */
export interface ImportBand {
  offset: number;
  data: XlsxSheet;
}

function docOf(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/** The workbook as an XLSX file, every tab a worksheet. */
export async function xlsxExport(input: { state: Uint8Array }): Promise<Uint8Array> {
  return writeXlsx(docOf(input.state));
}

/** One tab's used range as CSV text. */
export function csvExport(input: { state: Uint8Array; tab: string; neutralizeFormulas: boolean; values: CsvValues }): string {
  return exportCsv(Sheet.of(docOf(input.state), input.tab), { neutralizeFormulas: input.neutralizeFormulas, values: input.values });
}

export interface UploadInput {
  kind: "csv" | "xlsx";
  body: string | Uint8Array;
  maxCells: number;
}

/** One worksheet of an upload (a CSV is one), ready to write. */
export interface UploadSheet {
  /** An XLSX worksheet's name. */
  name?: string;
  rows: number;
  cols: number;
  /**
   * The worksheet in bands of about {@link IMPORT_BAND_CELLS} cells, each an {@link ImportBand} as
   * JSON: one string crosses from a worker far faster than the arrays it holds.
   */
  bands: string[];
}

/** An upload's worksheets, in order (at least one), or why it was refused. */
export type UploadResult = { ok: true; sheets: UploadSheet[] } | { ok: false; error: ErrorBody };

function refusal(err: unknown): ErrorBody | null {
  if (err instanceof CsvError) return { code: err.tooLarge ? ErrorCode.ImportTooLarge : ErrorCode.InvalidCsv, message: err.message };
  if (err instanceof XlsxError) return { code: err.tooLarge ? ErrorCode.ImportTooLarge : ErrorCode.InvalidXlsx, message: err.message };
  return null;
}

/** Splits a worksheet into bands of whole rows; widths and frozen panes go with the first. */
function bands(data: XlsxSheet, cols: number): string[] {
  const step = Math.max(1, Math.floor(IMPORT_BAND_CELLS / Math.max(1, cols)));
  const out: string[] = [];
  for (let offset = 0; offset < data.rows.length; offset += step) {
    const band: ImportBand = {
      offset,
      data: {
        name: data.name,
        rows: data.rows.slice(offset, offset + step),
        styles: data.styles.filter((s) => s.row >= offset && s.row < offset + step).map((s) => ({ ...s, row: s.row - offset })),
        colWidths: offset === 0 ? data.colWidths : [],
        rowHeights: data.rowHeights.slice(offset, offset + step),
        frozen: offset === 0 ? data.frozen : { rows: 0, cols: 0 },
        notes: data.notes.filter((n) => n.row >= offset && n.row < offset + step).map((n) => ({ ...n, row: n.row - offset })),
        merges: data.merges
          .filter((m) => m.start.row >= offset && m.start.row < offset + step)
          .map((m) => ({ start: { ...m.start, row: m.start.row - offset }, end: { ...m.end, row: m.end.row - offset } })),
      },
    };
    out.push(JSON.stringify(band));
  }
  return out;
}

/**
 * Reads an upload, refusing a broken or oversized file (counted while it is read), and answers it
 * in bands to write. Nothing is written here: the server writes the bands into the sheet.
 */
export async function readUpload(input: UploadInput): Promise<UploadResult> {
  try {
    const sheets: XlsxSheet[] =
      input.kind === "xlsx"
        ? await readXlsx(input.body as Uint8Array, input.maxCells)
        : [{ name: "", rows: parseCsv(input.body as string, ",", input.maxCells), styles: [], colWidths: [], rowHeights: [], frozen: { rows: 0, cols: 0 }, notes: [], merges: [] }];
    return {
      ok: true,
      sheets: sheets.map((data) => {
        const cols = data.rows.reduce((w, r) => Math.max(w, r.length), 0);
        const rows = cols === 0 ? 0 : data.rows.length;
        return { name: input.kind === "xlsx" ? data.name : undefined, rows, cols, bands: rows === 0 ? [] : bands(data, cols) };
      }),
    };
  } catch (err) {
    const error = refusal(err);
    if (error) return { ok: false, error };
    throw err;
  }
}
