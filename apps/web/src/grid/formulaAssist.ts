/**
 * What the formula editor knows about the text around the caret: the function name being typed
 * (for completion), the call the caret is in (for its signature), and whether a reference can go
 * there (so clicking a cell inserts one). Plain functions of the text; strings are skipped.
 */

const NAME_CHAR = /[A-Za-z0-9_.]/;

/** The text before the caret with string literals blanked out (same length). */
function codeBefore(text: string, caret: number): string | null {
  let out = "";
  let inString = false;
  for (let i = 0; i < caret; i++) {
    const ch = text[i]!;
    if (ch === '"') inString = !inString;
    out += inString || ch === '"' ? " " : ch;
  }
  return inString ? null : out;
}

/** The function-name prefix being typed at the caret, if the caret ends one (`=SU|`). */
export function namePrefixAt(text: string, caret: number): { prefix: string; start: number } | null {
  if (!text.startsWith("=")) return null;
  const code = codeBefore(text, caret);
  if (code === null || NAME_CHAR.test(text[caret] ?? "")) return null;
  let start = caret;
  while (start > 1 && NAME_CHAR.test(code[start - 1]!)) start--;
  const prefix = code.slice(start, caret);
  // A name starts with a letter; `A1`, `$B2` or a number are not names being typed.
  if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(prefix) || /^[A-Za-z]{1,3}[0-9]+$/.test(prefix) || code[start - 1] === "$") return null;
  return { prefix: prefix.toUpperCase(), start };
}

/** The innermost function call the caret is inside, and which argument (0-based) it is in. */
export function callAt(text: string, caret: number): { name: string; arg: number } | null {
  if (!text.startsWith("=")) return null;
  const code = codeBefore(text, caret);
  if (code === null) return null;
  let depth = 0;
  let arg = 0;
  for (let i = code.length - 1; i > 0; i--) {
    const ch = code[i];
    if (ch === ")") depth++;
    else if (ch === "(") {
      if (depth === 0) {
        let start = i;
        while (start > 1 && NAME_CHAR.test(code[start - 1]!)) start--;
        const name = code.slice(start, i).toUpperCase();
        return name ? { name, arg } : null;
      }
      depth--;
    } else if (ch === "," && depth === 0) arg++;
  }
  return null;
}

/**
 * True when a reference may be inserted at the caret: in a formula, right after `=`, `(`, `,`, an
 * operator or `:` (spaces allowed), and not in a string or in the middle of a word.
 */
export function expectsReference(text: string, caret: number): boolean {
  if (!text.startsWith("=")) return false;
  const code = codeBefore(text, caret);
  if (code === null || NAME_CHAR.test(text[caret] ?? "")) return false;
  const before = code.trimEnd();
  return /[=(,+\-*/^&<>:;]$/.test(before);
}
