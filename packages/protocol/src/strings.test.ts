import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";

/**
 * lib0 is patched (patches/lib0@0.2.120.patch) to read and write short ASCII strings without a
 * TextDecoder/TextEncoder call each. The bytes on the wire and on disk must not change.
 */
describe("strings on the wire", () => {
  const samples = ["", "a", "row 1", "x".repeat(63), "x".repeat(64), "é", "abc é", "日本語", "a\u007f", "😀 emoji", "y".repeat(200) + "é"];

  it("are UTF-8 with a length prefix, as before the patch", () => {
    for (const s of samples) {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, s);
      const expected = encoding.createEncoder();
      encoding.writeVarUint8Array(expected, new TextEncoder().encode(s));
      expect(encoding.toUint8Array(encoder), s).toEqual(encoding.toUint8Array(expected));
    }
  });

  it("read back as written, one after another", () => {
    const encoder = encoding.createEncoder();
    for (const s of samples) encoding.writeVarString(encoder, s);
    const decoder = decoding.createDecoder(encoding.toUint8Array(encoder));
    expect(samples.map(() => decoding.readVarString(decoder))).toEqual(samples);
    expect(decoding.hasContent(decoder)).toBe(false);
  });
});
