// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { copiedFrom, fromClipboard, toClipboard } from "./clipboard";

describe("clipboard", () => {
  it("writes TSV and an escaped HTML table", () => {
    const { text, html } = toClipboard([["a", "<b>x</b>"], ["line\nbreak", "1"]]);
    expect(text).toBe('a\t<b>x</b>\r\n"line\nbreak"\t1');
    expect(html).toBe("<table><tbody><tr><td>a</td><td>&lt;b&gt;x&lt;/b&gt;</td></tr><tr><td>line<br>break</td><td>1</td></tr></tbody></table>");
  });

  it("writes what cells show as text, and their inputs in the table", () => {
    const { text, html } = toClipboard([["=A2*2", "50%"]], undefined, [["84", "50.00%"]]);
    expect(text).toBe("84\t50.00%");
    expect(fromClipboard({ html, text })).toEqual([["=A2*2", "50%"]]);
    expect(fromClipboard({ text })).toEqual([["84", "50.00%"]]);
  });

  it("notes where a copy came from, so pasted formulas can move their references", () => {
    const { html } = toClipboard([["=A1"]], { row: 2, col: 1 });
    expect(copiedFrom(html)).toEqual({ row: 2, col: 1 });
    expect(copiedFrom(toClipboard([["=A1"]]).html)).toBeNull();
    expect(copiedFrom('<table data-cosheet-from="nonsense"><tr><td>x</td></tr></table>')).toBeNull();
    expect(copiedFrom(undefined)).toBeNull();
  });

  it("reads back what it wrote, from either format", () => {
    const rows = [["a", "<b>x</b>"], ["line\nbreak", "1"]];
    const clip = toClipboard(rows);
    expect(fromClipboard({ text: clip.text })).toEqual(rows);
    expect(fromClipboard({ html: clip.html, text: "ignored" })).toEqual(rows);
  });

  it("reads Excel and Google Sheets HTML", () => {
    const excel = `<html><body><table border=0>
      <tr height=20><td class=xl65>Item</td><td align=right>42</td></tr>
      <tr><td colspan=2>merged
        text</td></tr></table></body></html>`;
    expect(fromClipboard({ html: excel })).toEqual([["Item", "42"], ["merged text", ""]]);
    const sheets = '<google-sheets-html-origin><table><tbody><tr><td style="x">a</td><td>b<br>c</td></tr></tbody></table>';
    expect(fromClipboard({ html: sheets })).toEqual([["a", "b\nc"]]);
  });

  it("takes text with stray quotes as it is", () => {
    expect(fromClipboard({ text: '"quoted" word\tx\r\nnext\ty\r\n' })).toEqual([['"quoted" word', "x"], ["next", "y"]]);
    expect(fromClipboard({ text: "1\t2\n3\t4\n" })).toEqual([["1", "2"], ["3", "4"]]);
  });
});
