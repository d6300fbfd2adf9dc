import * as encoding from "lib0/encoding";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LIMITS, type Ack } from "@cosheet/protocol";
import { connectClient, createSheet, eventually, request, startServer, type TestClient, type TestServer } from "./helpers.js";

let server: TestServer;
let sheetId: string;
let ada: TestClient;
let mallory: TestClient;
let observer: TestClient;

const adaState = { user: { name: "Ada", color: "#1a7f5a" }, cursor: { rowId: "r1", colId: "c1" }, anchor: null };

beforeEach(async () => {
  server = await startServer();
  sheetId = await createSheet(server.url);
  [ada, mallory, observer] = [connectClient(server.url, sheetId), connectClient(server.url, sheetId), connectClient(server.url, sheetId)];
  await Promise.all([ada, mallory, observer].map((c) => c.provider.whenSynced()));
  ada.provider.awareness.setLocalState(adaState);
  await eventually(() => expect(seen(ada)).toEqual(adaState));
});

afterEach(async () => {
  for (const c of [ada, mallory, observer]) c.close();
  await server.close();
});

/** A client's presence as the observer sees it. */
function seen(c: TestClient): unknown {
  return observer.provider.awareness.getStates().get(c.doc.clientID);
}

/** An awareness update written by hand, as a hostile client would: any id, clock and state. */
function forged(clientId: number, state: unknown, clock = 1000): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, clientId);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarString(encoder, JSON.stringify(state));
  return encoding.toUint8Array(encoder);
}

function send(c: TestClient, update: Uint8Array): Promise<Ack<unknown>> {
  return request<Ack<unknown>>(c.socket, "awareness:update", { sheetId, update });
}

let marks = 0;

/**
 * Waits until an edit Mallory makes now reaches the observer. The server relays an accepted
 * presence update while it handles it, ahead of any later edit, so by then it would have arrived.
 */
async function settled(): Promise<void> {
  const mark = `mark ${++marks}`;
  mallory.sheet.setCellsA1({ A1: mark });
  await eventually(() => expect(observer.sheet.toA1Record().A1).toBe(mark));
}

describe("presence belongs to its socket", () => {
  it("refuses an update for another client's id, so others still see the victim as they are", async () => {
    const ack = await send(mallory, forged(ada.doc.clientID, { user: { name: "Ada (hacked)", color: "#000000" } }));
    expect(ack.ok).toBe(false);
    await settled();
    expect(seen(ada)).toEqual(adaState);
    expect(ada.provider.awareness.getLocalState()).toEqual(adaState);
  });

  it("refuses an update that mixes the sender's own id with someone else's, applying none of it", async () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 2);
    for (const clientId of [mallory.doc.clientID, ada.doc.clientID]) {
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarUint(encoder, 5000);
      encoding.writeVarString(encoder, JSON.stringify({ user: { name: "Mallory", color: "#000000" } }));
    }
    expect((await send(mallory, encoding.toUint8Array(encoder))).ok).toBe(false);
    await settled();
    expect(seen(ada)).toEqual(adaState);
  });

  it("refuses removing someone else's presence, but lets everyone remove their own", async () => {
    expect((await send(mallory, forged(ada.doc.clientID, null))).ok).toBe(false);
    await settled();
    expect(seen(ada)).toEqual(adaState);

    ada.provider.awareness.setLocalState(null);
    await eventually(() => expect(observer.provider.awareness.getStates().has(ada.doc.clientID)).toBe(false));
  });

  it("lets a socket introduce a few ids of its own, and no more", async () => {
    // Mallory's own document id is the first; three more fit, the next one does not.
    for (const clientId of [1, 2, 3]) expect((await send(mallory, forged(clientId, {}))).ok).toBe(true);
    expect((await send(mallory, forged(4, {}))).ok).toBe(false);
    // An id one socket introduced is not another's to take.
    expect((await send(ada, forged(1, { user: { name: "Ada's twin" } }))).ok).toBe(false);
  });

  it("shows a person again when they reconnect, without them changing anything", async () => {
    ada.socket.disconnect();
    await eventually(() => expect(seen(ada)).toBeUndefined());
    ada.socket.connect();
    await eventually(() => expect(seen(ada)).toEqual(adaState));
  });

  it("removes what a socket spoke for when it disconnects", async () => {
    expect((await send(mallory, forged(77, { user: { name: "Extra", color: "#0369a1" } }))).ok).toBe(true);
    await eventually(() => expect(observer.provider.awareness.getStates().has(77)).toBe(true));
    mallory.socket.disconnect();
    await eventually(() => expect(observer.provider.awareness.getStates().has(77)).toBe(false));
    expect(observer.provider.awareness.getStates().has(mallory.doc.clientID)).toBe(false);
  });
});

describe("presence reaches others in safe forms", () => {
  it("clamps a long name and replaces a colour that is not #rrggbb", async () => {
    mallory.provider.awareness.setLocalState({
      user: { name: `\u202e${"M".repeat(3000)}\n`, color: "url(http://attacker/x)" },
      cursor: { rowId: "<img src=x onerror=alert(1)>", colId: "c1" },
      anchor: { rowId: "r2", colId: "c2" },
      tab: "tab-1",
      script: "alert(1)",
    });
    await eventually(() =>
      expect(seen(mallory)).toEqual({
        user: { name: "M".repeat(LIMITS.maxNameLength), color: "#6b7772" },
        tab: "tab-1",
        anchor: { rowId: "r2", colId: "c2" },
      }),
    );
  });

  it("refuses a state larger than the limit, such as a name of 10,000 characters", async () => {
    const ack = await send(mallory, forged(mallory.doc.clientID, { user: { name: "M".repeat(10_000), color: "#c2410c" } }));
    expect(ack.ok).toBe(false);
    await settled();
    // Mallory joined with an empty presence; the refused state never replaced it.
    expect(seen(mallory)).toEqual({});
  });
});
