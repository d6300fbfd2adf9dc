import { LIMITS, XLSX_TYPE } from "@cosheet/protocol";

interface ErrorReply {
  error?: { message: string };
}

/** Creates a sheet through the HTTP API and returns its path (`/s/<id>`). */
export async function createSheet(): Promise<string> {
  const res = await fetch("/api/sheets", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const body = (await res.json()) as { url?: string } & ErrorReply;
  if (!res.ok || !body.url) throw new Error(body.error?.message ?? `could not create a sheet (${res.status})`);
  return body.url;
}

/** The content type the server reads a file as, from its name; null for a file it cannot import. */
function importType(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".xlsx")) return XLSX_TYPE;
  if (name.endsWith(".csv") || name.endsWith(".txt")) return "text/csv";
  return null;
}

/**
 * Sends a CSV or XLSX file to the server, reporting upload progress (0..1). The server reads and
 * checks the whole file before it writes anything, so a failure changes nothing.
 */
/** Creates a sheet from a CSV or XLSX file, named after the file; returns its path (`/s/<id>`). */
export async function importAsNewSheet(file: File, onProgress: (fraction: number) => void): Promise<string> {
  const title = file.name.replace(/\.[^.]+$/, "").slice(0, 200) || "Imported sheet";
  const { url } = await uploadFile<{ url: string }>(`/api/sheets?title=${encodeURIComponent(title)}`, file, onProgress);
  return url;
}

export function uploadFile<T>(url: string, file: File, onProgress: (fraction: number) => void): Promise<T> {
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
