// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { copiedFrom, cutToken, fromClipboard, toClipboard } from "./clipboard";

describe("clipboard", () => {
  it("writes TSV and an escaped HTML table", () => {
    const { text, html } = toClipboard([["a", "<b>x</b>"], ["line\nbreak", "1"]]);
    expect(text).toBe('a\t<b>x</b>\r\n"line\nbreak"\t1');
    expect(html).toBe("<table><tbody><tr><td>a</td><td>&lt;b&gt;x&lt;/b&gt;</td></tr><tr><td>line<br>break</td><td>1</td></tr></tbody></table>");
  });

  it("writes what cells show as text, and their inputs in the table", () => {
    const { text, html } = toClipboard([["=A2*2", "50%"]], undefined, [["84", "50.00%"]]);
    expect(text).toBe("84\t50.00%");
    expect(fromClipboard({ html, text }).rows).toEqual([["=A2*2", "50%"]]);
    expect(fromClipboard({ text })).toEqual({ rows: [["84", "50.00%"]], styles: null });
  });

  it("notes where a copy came from, so pasted formulas can move their references", () => {
    const { html } = toClipboard([["=A1"]], { row: 2, col: 1 });
    expect(copiedFrom(html)).toEqual({ row: 2, col: 1 });
    expect(copiedFrom(toClipboard([["=A1"]]).html)).toBeNull();
    expect(copiedFrom('<table data-cosheet-from="nonsense"><tr><td>x</td></tr></table>')).toBeNull();
    expect(copiedFrom(undefined)).toBeNull();
    // A cut carries its token instead: pasted in the page that cut it, its cells move.
    const cut = toClipboard([["x"]], undefined, undefined, undefined, "t0k3n");
    expect([cutToken(cut.html), copiedFrom(cut.html), cutToken(html)]).toEqual(["t0k3n", null, null]);
  });

  it("reads back what it wrote, from either format", () => {
    const rows = [["a", "<b>x</b>"], ["line\nbreak", "1"]];
    const clip = toClipboard(rows);
    expect(fromClipboard({ text: clip.text }).rows).toEqual(rows);
    expect(fromClipboard({ html: clip.html, text: "ignored" }).rows).toEqual(rows);
  });

  it("reads Excel and Google Sheets HTML", () => {
    const excel = `<html><body><table border=0>
      <tr height=20><td class=xl65>Item</td><td align=right>42</td></tr>
      <tr><td colspan=2>merged
        text</td></tr></table></body></html>`;
    expect(fromClipboard({ html: excel }).rows).toEqual([["Item", "42"], ["merged text", ""]]);
    const sheets = '<google-sheets-html-origin><table><tbody><tr><td style="x">a</td><td>b<br>c</td></tr></tbody></table>';
    expect(fromClipboard({ html: sheets }).rows).toEqual([["a", "b\nc"]]);
  });

  it("takes text with stray quotes as it is", () => {
    expect(fromClipboard({ text: '"quoted" word\tx\r\nnext\ty\r\n' }).rows).toEqual([['"quoted" word', "x"], ["next", "y"]]);
    expect(fromClipboard({ text: "1\t2\n3\t4\n" }).rows).toEqual([["1", "2"], ["3", "4"]]);
  });

  it("puts cells spanning rows and columns where they land, the cells they cover empty", () => {
    const html = `<table>
      <tr><td rowspan="2">tall</td><td colspan="2">wide</td><td>d1</td></tr>
      <tr><td>b2</td><td>c2</td><td>d2</td></tr>
      <tr><td>a3</td><td rowspan="9999999">runs on</td><td colspan="abc">c3</td></tr></table>`;
    const { rows } = fromClipboard({ html });
    expect(rows.slice(0, 3)).toEqual([
      ["tall", "wide", "", "d1"],
      ["", "b2", "c2", "d2"],
      ["a3", "runs on", "c3", ""],
    ]);
    // A span is at most 1,000 rows: the cell covers the next 999, and nothing else is made of it.
    expect(rows).toHaveLength(1002);
    expect(rows[1001]).toEqual(["", "", "", ""]);
  });

  it("carries formatting: whole between Cosheet sheets, and as far as inline CSS says from other spreadsheets", () => {
    const { html } = toClipboard([["a", "b"]], undefined, undefined, [[{ bold: true, fontSize: 14, numFmt: "0.00%" }, {}]]);
    expect(fromClipboard({ html }).styles).toEqual([[{ bold: true, fontSize: 14, numFmt: "0.00%" }, {}]]);
    // A crafted attribute is dropped, the others kept.
    const crafted = '<table><tr><td data-cosheet-style=\'{"bold":true,"fill":"url(x)","__proto__":{"x":1}}\'>a</td></tr></table>';
    expect(fromClipboard({ html: crafted }).styles).toEqual([[{ bold: true }]]);
    const sheets =
      '<table><tr><td style="font-weight:bold;font-style:italic;text-decoration:underline line-through;color:rgb(255, 0, 0);background-color:#ff0;text-align:center">x</td></tr></table>';
    expect(fromClipboard({ html: sheets }).styles).toEqual([[{ bold: true, italic: true, underline: true, strike: true, color: "#ff0000", fill: "#ffff00", align: "center" }]]);
  });
});
