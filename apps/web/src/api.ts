/** Creates a sheet through the HTTP API and returns its path (`/s/<id>`). */
export async function createSheet(): Promise<string> {
  const res = await fetch("/api/sheets", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const body = (await res.json()) as { url?: string; error?: { message: string } };
  if (!res.ok || !body.url) throw new Error(body.error?.message ?? `could not create a sheet (${res.status})`);
  return body.url;
}
