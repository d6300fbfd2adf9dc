/** The sheets this browser opened recently, newest first (localStorage). */
export interface RecentSheet {
  id: string;
  title: string;
  openedAt: number;
}

const KEY = "cosheet:recent";
const MAX = 20;

export function loadRecent(storage: Storage = localStorage): RecentSheet[] {
  try {
    const list = JSON.parse(storage.getItem(KEY) ?? "[]") as unknown;
    return Array.isArray(list)
      ? list.filter((s): s is RecentSheet => typeof s?.id === "string" && typeof s?.title === "string")
      : [];
  } catch {
    return [];
  }
}

export function rememberSheet(id: string, title: string, storage: Storage = localStorage): void {
  const rest = loadRecent(storage).filter((s) => s.id !== id);
  storage.setItem(KEY, JSON.stringify([{ id, title, openedAt: Date.now() }, ...rest].slice(0, MAX)));
}
