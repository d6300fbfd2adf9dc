import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { ErrorCode, LIMITS, ProtocolError } from "@cosheet/protocol";
import { NEUTRAL_COLOR, UpdateError } from "@cosheet/sheet";
import {
  claimClientIds,
  DEFAULT_NAME,
  MAX_CLIENTS_PER_SOCKET,
  normalizePresenceState,
  readPresenceUpdate,
  writePresenceUpdate,
  type PresenceEntry,
} from "../src/registry/presence.js";

/** An awareness update with raw JSON texts as states, to write what no encoder would. */
function rawUpdate(entries: [clientId: number, clock: number, json: string][]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const [clientId, clock, json] of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, json);
  }
  return encoding.toUint8Array(encoder);
}

function refusal(fn: () => unknown): { code: string } | UpdateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return { code: err.code };
    if (err instanceof UpdateError) return err;
    throw err;
  }
  throw new Error("not refused");
}

const ada = { user: { name: "Ada", color: "#1a7f5a" }, cursor: { rowId: "r1aB_-x", colId: "c2" }, anchor: null };

describe("normalizePresenceState", () => {
  it("keeps what the web app shares as it is", () => {
    expect(normalizePresenceState(ada)).toEqual(ada);
  });

  it("clamps the name: no control characters, trimmed, at most the limit, never empty", () => {
    const name = (value: unknown) => normalizePresenceState({ user: { name: value, color: "#000000" } }).user!.name;
    expect(name("  A\u0000d\na\u001b[31m\u202e  ")).toBe("Ada[31m");
    expect(name("x".repeat(10_000))).toBe("x".repeat(LIMITS.maxNameLength));
    expect(name(`${"y".repeat(LIMITS.maxNameLength - 1)} z`)).toBe("y".repeat(LIMITS.maxNameLength - 1));
    expect(name("😀".repeat(100))).toBe("😀".repeat(LIMITS.maxNameLength));
    expect(name(" \t\r\n ")).toBe(DEFAULT_NAME);
    expect(name(42)).toBe(DEFAULT_NAME);
    expect(name({ toString: "Mallory" })).toBe(DEFAULT_NAME);
  });

  it("replaces any colour that is not #rrggbb", () => {
    const color = (value: unknown) => normalizePresenceState({ user: { name: "Ada", color: value } }).user!.color;
    expect(color("#A0b1C2")).toBe("#A0b1C2");
    for (const bad of ["url(http://attacker/x)", "red", "#fff", "#1a7f5a; background: url(x)", "#1a7f5a\n", null, 7]) {
      expect(color(bad)).toBe(NEUTRAL_COLOR);
    }
  });

  it("gives a user that is not an object the defaults, and adds none where there is no user", () => {
    expect(normalizePresenceState({ user: "Ada" })).toEqual({ user: { name: DEFAULT_NAME, color: NEUTRAL_COLOR } });
    expect(normalizePresenceState({ user: null })).toEqual({ user: { name: DEFAULT_NAME, color: NEUTRAL_COLOR } });
    expect(normalizePresenceState({})).toEqual({});
  });

  it("drops a cursor or anchor that is not a cell of short ids, and every unknown field", () => {
    const state = normalizePresenceState({
      user: { name: "Ada", color: "#1a7f5a", avatar: "http://attacker/x" },
      cursor: { rowId: "<img src=x>", colId: "c1" },
      anchor: { rowId: "r".repeat(33), colId: "c1" },
      extra: "x".repeat(1000),
    });
    expect(state).toEqual({ user: { name: "Ada", color: "#1a7f5a" } });
    expect(Object.keys(state)).toEqual(["user"]);
    expect(normalizePresenceState({ cursor: { rowId: "r1", colId: 5 }, anchor: "A1" })).toEqual({});
    expect(normalizePresenceState({ cursor: { rowId: "r1", colId: "c1", more: 1 }, anchor: null })).toEqual({
      cursor: { rowId: "r1", colId: "c1" },
      anchor: null,
    });
  });
});

describe("readPresenceUpdate and writePresenceUpdate", () => {
  it("read what y-protocols writes, and write what y-protocols reads", () => {
    const doc = new Y.Doc();
    const source = new awarenessProtocol.Awareness(doc);
    source.setLocalState(ada);
    const entries = readPresenceUpdate(awarenessProtocol.encodeAwarenessUpdate(source, [doc.clientID]));
    expect(entries).toEqual([{ clientId: doc.clientID, clock: 1, state: ada }]);

    const target = new awarenessProtocol.Awareness(new Y.Doc());
    awarenessProtocol.applyAwarenessUpdate(target, writePresenceUpdate(entries), "test");
    expect(target.getStates().get(doc.clientID)).toEqual(ada);
    source.destroy();
    target.destroy();
  });

  it("read a removal as a null state and clamp every other state", () => {
    const update = rawUpdate([
      [1, 3, "null"],
      [2, 1, '{"__proto__":{"polluted":true},"user":{"name":"Bob","color":"url(http://attacker/x)"},"script":"alert(1)"}'],
    ]);
    expect(readPresenceUpdate(update)).toEqual([
      { clientId: 1, clock: 3, state: null },
      { clientId: 2, clock: 1, state: { user: { name: "Bob", color: NEUTRAL_COLOR } } },
    ]);
  });

  it("refuse a state larger than the limit before parsing it", () => {
    const big = JSON.stringify({ user: { name: "x".repeat(LIMITS.maxPresenceStateBytes), color: "#000000" } });
    expect(refusal(() => readPresenceUpdate(rawUpdate([[1, 1, big]])))).toEqual({ code: ErrorCode.UpdateTooLarge });
    const fits = JSON.stringify({ user: { name: "x".repeat(LIMITS.maxPresenceStateBytes - 40) } });
    expect(readPresenceUpdate(rawUpdate([[1, 1, fits]]))[0]!.state!.user!.name).toHaveLength(LIMITS.maxNameLength);
  });

  it("refuse a state that is not an object or null", () => {
    for (const json of ["5", '"Ada"', "true", "[]", '[{"user":{}}]']) {
      expect(refusal(() => readPresenceUpdate(rawUpdate([[1, 1, json]])))).toEqual({ code: ErrorCode.BadRequest });
    }
  });

  it("refuse more clients than one socket may speak for", () => {
    const entries = Array.from({ length: MAX_CLIENTS_PER_SOCKET + 1 }, (_, i) => [i + 1, 1, "{}"] as [number, number, string]);
    expect(refusal(() => readPresenceUpdate(rawUpdate(entries)))).toEqual({ code: ErrorCode.BadRequest });
    expect(readPresenceUpdate(rawUpdate(entries.slice(0, MAX_CLIENTS_PER_SOCKET)))).toHaveLength(MAX_CLIENTS_PER_SOCKET);
  });

  it("refuse malformed bytes as an UpdateError", () => {
    const good = rawUpdate([[1, 1, "{}"]]);
    const malformed = [
      new Uint8Array([]),
      new Uint8Array([7, 7]),
      good.subarray(0, good.length - 1),
      new Uint8Array([...good, 0]),
      rawUpdate([[1, 1, "{not json"]]),
      new Uint8Array([1, 1, 1, 2, 0xc3, 0x28]), // invalid UTF-8
      new Uint8Array([1, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1]), // an id past 2^53
    ];
    for (const update of malformed) expect(refusal(() => readPresenceUpdate(update))).toBeInstanceOf(UpdateError);
  });

  it("never read past the end of a view into the buffer it shares", () => {
    // The state claims 20 bytes but the update ends after 2; the next 18 belong to someone else.
    const shared = new Uint8Array([1, 1, 1, 20, 123, 125, ...new TextEncoder().encode('{"user":{"name":"x"}}')]);
    expect(refusal(() => readPresenceUpdate(shared.subarray(0, 6)))).toBeInstanceOf(UpdateError);
  });
});

describe("claimClientIds", () => {
  const entry = (clientId: number, state: PresenceEntry["state"] = {}): PresenceEntry => ({ clientId, clock: 1, state });
  const nobody = () => false;

  it("introduces ids nobody speaks for, and lets a socket update and remove its own", () => {
    expect(claimClientIds([entry(1), entry(2), entry(2)], new Set(), nobody)).toEqual([1, 2]);
    expect(claimClientIds([entry(1), entry(2, null)], new Set([1, 2]), () => true)).toEqual([]);
  });

  it("refuses an update that names anyone else's id, even among its own", () => {
    const taken = (id: number) => id === 9;
    expect(refusal(() => claimClientIds([entry(1), entry(9)], new Set([1]), taken))).toEqual({ code: ErrorCode.BadRequest });
    expect(refusal(() => claimClientIds([entry(9, null)], new Set(), taken))).toEqual({ code: ErrorCode.BadRequest });
  });

  it("refuses removing an id the socket never introduced", () => {
    expect(refusal(() => claimClientIds([entry(5, null)], new Set([1]), nobody))).toEqual({ code: ErrorCode.BadRequest });
  });

  it("refuses going past the cap", () => {
    const owned = new Set(Array.from({ length: MAX_CLIENTS_PER_SOCKET - 1 }, (_, i) => i + 1));
    expect(claimClientIds([entry(100)], owned, nobody)).toEqual([100]);
    expect(refusal(() => claimClientIds([entry(100), entry(101)], owned, nobody))).toEqual({ code: ErrorCode.BadRequest });
  });
});
