import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { initSheet, type InitOptions } from "./schema.js";
import { Sheet } from "./sheet.js";

/**
 * Replicas of one sheet for tests: the first is initialised (as the server does on creation),
 * the others start from its state, as clients do after their first sync.
 */
export function replicas(count: number, options: InitOptions = { rows: 10, cols: 5 }): Sheet[] {
  const origin = new Y.Doc();
  initSheet(origin, options);
  const state = Y.encodeStateAsUpdate(origin);
  return Array.from({ length: count }, (_, i) => {
    if (i === 0) return Sheet.of(origin);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    return Sheet.of(doc);
  });
}

/** Exchanges full state between all replicas. */
export function syncAll(sheets: readonly Sheet[]): void {
  for (const a of sheets) {
    for (const b of sheets) {
      if (a !== b) Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
    }
  }
}

/** mulberry32: a small seeded PRNG for tests, so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An update of nothing but one garbage-collected range of a client's clocks (V1 format): what a
 * crafted client sends to use up another client's coming clocks.
 */
export function gcUpdate(client: number, clock: number, length: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 1); // with one struct
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, clock);
  encoding.writeUint8(e, 0); // a GC struct
  encoding.writeVarUint(e, length);
  encoding.writeVarUint(e, 0); // no deletions
  return encoding.toUint8Array(e);
}

/**
 * A network that holds every update a replica emits and delivers them to the others in random
 * order (not FIFO), as reconnects and retries can.
 */
export class RandomNetwork {
  private inbox: { to: Sheet; update: Uint8Array }[] = [];

  constructor(
    sheets: readonly Sheet[],
    private readonly rand: () => number,
  ) {
    for (const from of sheets) {
      from.doc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === this) return;
        for (const to of sheets) if (to !== from) this.inbox.push({ to, update });
      });
    }
  }

  deliverSome(): void {
    const n = Math.floor(this.rand() * (this.inbox.length + 1));
    for (let i = 0; i < n; i++) this.deliverOne();
  }

  deliverAll(): void {
    while (this.inbox.length > 0) this.deliverOne();
  }

  private deliverOne(): void {
    const i = Math.floor(this.rand() * this.inbox.length);
    const [msg] = this.inbox.splice(i, 1);
    Y.applyUpdate(msg!.to.doc, msg!.update, this);
  }
}
