import { LIMITS, XLSX_TYPE, type CellChange, type NewLink, type Role, type SheetLinks, type Version } from "@cosheet/protocol";
import { rememberLink } from "./collab/recent";

/** The sheet an API call is about, and the secret of the link it was opened with (none: its plain address). */
export interface SheetAccess {
  sheetId: string;
  secret?: string;
}

interface ErrorReply {
  error?: { message: string };
}

/** A new sheet, as `POST /api/sheets` answers: its owner link's path (`/s/<id>#k=<secret>`) and secret. */
interface CreatedSheet {
  id: string;
  url: string;
  secret: string;
}

/** Remembers a new sheet's owner link before anything navigates to it, and returns its path. */
function owned({ id, url, secret }: CreatedSheet): string {
  rememberLink(id, { secret, role: "owner" });
  return url;
}

/** Creates a sheet through the HTTP API and returns its owner link's path (`/s/<id>#k=<secret>`). */
export async function createSheet(): Promise<string> {
  const res = await fetch("/api/sheets", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const body = (await res.json()) as Partial<CreatedSheet> & ErrorReply;
  if (!res.ok || !body.id || !body.url || !body.secret) {
    throw new Error(body.error?.message ?? `could not create a sheet (${res.status})`);
  }
  return owned({ id: body.id, url: body.url, secret: body.secret });
}

/**
 * A request to an open sheet's API, with its link's secret as the bearer token. Resolves with
 * the response if it succeeded; otherwise rejects with the server's reason.
 */
async function request(access: SheetAccess, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = access.secret ? { authorization: `Bearer ${access.secret}` } : {};
  if (init.json !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/api/sheets/${access.sheetId}${path}`, {
      method: init.method ?? "GET",
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
  } catch {
    throw new Error("the server could not be reached");
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as ErrorReply | null;
  throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
}

/** A download of the sheet (CSV: of one tab): its file name (the server's, from the title) and contents. */
export async function exportSheet(access: SheetAccess, format: "csv" | "xlsx", tab: string): Promise<{ name: string; blob: Blob }> {
  const res = await request(access, `/export.${format}?tab=${encodeURIComponent(tab)}`);
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? `sheet.${format}`;
  return { name, blob: await res.blob() };
}

/** The sheet's links and whether its plain address gives edit access (owners only). */
export async function listLinks(access: SheetAccess): Promise<SheetLinks> {
  return (await request(access, "/links")).json() as Promise<SheetLinks>;
}

/** Makes a link; its secret is in the answer only, never shown again. `expiresAt`: ISO 8601, in the future. */
export async function createLink(access: SheetAccess, link: { role: Role; label?: string; expiresAt?: string }): Promise<NewLink> {
  return (await request(access, "/links", { method: "POST", json: link })).json() as Promise<NewLink>;
}

/** Revokes a link: whoever is in the sheet through it is dropped within seconds. */
export async function revokeLink(access: SheetAccess, linkId: string): Promise<void> {
  await request(access, `/links/${encodeURIComponent(linkId)}`, { method: "DELETE" });
}

/** Switches whether the sheet's plain address gives edit access; resolves with the new setting. */
export async function setPlainAddress(access: SheetAccess, enabled: boolean): Promise<boolean> {
  const res = await request(access, "/plain-address", { method: "PUT", json: { enabled } });
  return ((await res.json()) as { plainAddress: boolean }).plainAddress;
}

/** The sheet's versions, newest first (edit and owner links). */
export async function listVersions(access: SheetAccess): Promise<Version[]> {
  return ((await (await request(access, "/versions")).json()) as { versions: Version[] }).versions;
}

/** Names the sheet as the server has it now. */
export async function nameVersion(access: SheetAccess, name: string, author: string): Promise<Version> {
  return (await request(access, "/versions", { method: "POST", json: { name, author } })).json() as Promise<Version>;
}

/** Deletes a named version (automatic ones cannot be). */
export async function deleteVersion(access: SheetAccess, versionId: string): Promise<void> {
  await request(access, `/versions/${encodeURIComponent(versionId)}`, { method: "DELETE" });
}

/** A version's whole state, as one Yjs update. */
export async function versionState(access: SheetAccess, versionId: string): Promise<Uint8Array> {
  return new Uint8Array(await (await request(access, `/versions/${encodeURIComponent(versionId)}/state`)).arrayBuffer());
}

/**
 * Restores a version for everyone, as a forward edit that reaches every open copy through the
 * sync; `before` is the version the server named first, which undoes it when restored.
 */
export async function restoreVersion(access: SheetAccess, versionId: string, author: string): Promise<{ restored: Version; before: Version }> {
  const res = await request(access, `/versions/${encodeURIComponent(versionId)}/restore`, { method: "POST", json: { author } });
  return res.json() as Promise<{ restored: Version; before: Version }>;
}

/** Each value a cell (A1, of a tab) had, newest first. */
export async function cellHistory(access: SheetAccess, a1: string, tab: string): Promise<CellChange[]> {
  return ((await (await request(access, `/cells/${a1}/history?tab=${encodeURIComponent(tab)}`)).json()) as { history: CellChange[] }).history;
}

/** The content type the server reads a file as, from its name; null for a file it cannot import. */
function importType(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".xlsx")) return XLSX_TYPE;
  if (name.endsWith(".csv") || name.endsWith(".txt")) return "text/csv";
  return null;
}

/** Creates a sheet from a CSV or XLSX file, named after the file; returns its owner link's path. */
export async function importAsNewSheet(file: File, onProgress: (fraction: number) => void): Promise<string> {
  const title = file.name.replace(/\.[^.]+$/, "").slice(0, 200) || "Imported sheet";
  return owned(await uploadFile<CreatedSheet>(`/api/sheets?title=${encodeURIComponent(title)}`, file, onProgress));
}

/**
 * Writes a CSV or XLSX file into a tab at a cell (A1), or into a new tab of a name; resolves with
 * the range written (null: empty file) and the tabs made (an XLSX's other worksheets, the new tab).
 */
export async function importIntoSheet(
  access: SheetAccess,
  tab: string,
  into: { at: string } | { newTab: string },
  file: File,
  onProgress: (fraction: number) => void,
): Promise<{ range: string | null; tabs?: string[] }> {
  const where = "at" in into ? `at=${into.at}` : `newTab=${encodeURIComponent(into.newTab)}`;
  return uploadFile(`/api/sheets/${access.sheetId}/import?tab=${encodeURIComponent(tab)}&${where}`, file, onProgress, access.secret);
}

/**
 * Sends a CSV or XLSX file to the server, reporting upload progress (0..1). The server reads and
 * checks the whole file before it writes anything, so a failure changes nothing.
 */
function uploadFile<T>(url: string, file: File, onProgress: (fraction: number) => void, secret?: string): Promise<T> {
  const type = importType(file);
  if (!type) return Promise.reject(new Error(`“${file.name}” is not a CSV or XLSX file.`));
  if (file.size > LIMITS.maxImportBytes) {
    const mib = LIMITS.maxImportBytes / 1024 / 1024;
    return Promise.reject(new Error(`“${file.name}” is larger than the ${mib} MiB import limit.`));
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", type);
    if (secret) xhr.setRequestHeader("authorization", `Bearer ${secret}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new Error("The upload failed: the server could not be reached."));
    xhr.onload = () => {
      let body: (T & ErrorReply) | null = null;
      try {
        body = JSON.parse(xhr.responseText) as T & ErrorReply;
      } catch {
        // not JSON: reported below
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
      else reject(new Error(`Import failed: ${body?.error?.message ?? `the server answered ${xhr.status}`}`));
    };
    xhr.send(file);
  });
}
