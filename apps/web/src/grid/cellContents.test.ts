import { describe, expect, it } from "vitest";
import { cellFont, formattingCss, linesHeight, wrappedLines } from "./cellContents";

/** Every character 10 px wide. */
const measure = (text: string) => text.length * 10;

describe("a cell's text laid out in lines", () => {
  it("wraps between words, at line breaks, and within a word too long for a line", () => {
    expect(wrappedLines("short", 100, measure)).toBe(1);
    // "a long text " fits 10 characters a line: "a long" / "text that" / "wraps".
    expect(wrappedLines("a long text that wraps", 100, measure)).toBe(3);
    expect(wrappedLines("one\ntwo\n\nfour", 100, measure)).toBe(4);
    expect(wrappedLines("abcdefghijklmnopqrstuvwxyz", 100, measure)).toBe(3);
    // Spaces after a word hang past the edge, as in CSS: they make no line of their own.
    expect(wrappedLines("abcdefghij     ", 100, measure)).toBe(1);
  });

  it("sizes rows by the font and formats them as CSS", () => {
    expect(cellFont({ fontSize: 20, bold: true }, "Inter")).toBe("700 26px Inter");
    expect(linesHeight({}, 3)).toBe(3 * 17 + 6);
    const css = formattingCss({ wrap: true, underline: true, strike: true, valign: "top", fontSize: 20 }, false);
    expect(css).toContain("text-decoration:underline line-through;");
    expect(css).toContain("font-size:26px;");
    expect(css).toContain("align-content:start;");
    expect(css).toContain("white-space:pre-wrap;");
    expect(formattingCss({ bold: true }, true)).toBe("font-weight:700;text-align:right;");
    // In a table (printed, copied) a cell stays a table cell.
    expect(formattingCss({ wrap: true, valign: "top", fontSize: 20 }, false, true)).toBe("font-size:26px;vertical-align:top;white-space:pre-wrap;");
  });
});
