import { describe, expect, it } from "vitest";
import { wireBytes } from "./provider.js";

describe("wireBytes", () => {
  it("gives an ArrayBuffer of exactly the bytes, for whole arrays and for views", () => {
    const whole = new Uint8Array([1, 2, 3]);
    expect(wireBytes(whole)).toBe(whole.buffer);
    const view = new Uint8Array([9, 9, 4, 5, 6, 9]).subarray(2, 5);
    const out = wireBytes(view);
    expect(out).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(out)]).toEqual([4, 5, 6]);
  });
});
