import { newPersonKey, PERSON_KEY_PATTERN } from "@cosheet/protocol";

/** Who this browser is to others: a name and a colour, remembered in localStorage. */
export interface Identity {
  name: string;
  color: string;
}

const KEY = "cosheet:identity";
const COLORS = ["#1a7f5a", "#c2410c", "#7c3aed", "#0369a1", "#be185d", "#4d7c0f", "#b45309", "#0f766e"];
const ANIMALS = ["Otter", "Heron", "Lynx", "Badger", "Falcon", "Marten", "Ibex", "Puffin", "Gecko", "Wombat"];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

export function loadIdentity(storage: Storage = localStorage): Identity {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? "null") as Partial<Identity> | null;
    if (saved && typeof saved.name === "string" && typeof saved.color === "string") {
      return { name: saved.name, color: saved.color };
    }
  } catch {
    // a corrupt entry is replaced below
  }
  const identity = { name: `Anonymous ${pick(ANIMALS)}`, color: pick(COLORS) };
  saveIdentity(identity, storage);
  return identity;
}

export function saveIdentity(identity: Identity, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify(identity));
}

const PERSON_KEY = "cosheet:person";

/**
 * This browser's person key, made once and kept in localStorage: what lets it edit and delete the
 * comments it wrote (see `personId`). Never shown, and never sent but to the server.
 */
export function loadPersonKey(storage: Storage = localStorage): string {
  const saved = storage.getItem(PERSON_KEY);
  if (saved && PERSON_KEY_PATTERN.test(saved)) return saved;
  const key = newPersonKey();
  storage.setItem(PERSON_KEY, key);
  return key;
}
