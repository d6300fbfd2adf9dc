/** The file types a sheet imports and exports over HTTP (see docs/api.md). */
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/** Content types read as CSV. */
export const CSV_TYPES: readonly string[] = ["text/csv", "text/plain", "application/csv"];
/** A file input's `accept` for an import: CSV or XLSX. */
export const IMPORT_ACCEPT = `.csv,.txt,.xlsx,text/csv,${XLSX_TYPE}`;
