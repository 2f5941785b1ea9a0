/**
 * Text for Graphviz. Ids and labels are always double-quoted strings, so keywords (`edge`, `node`), `<>`,
 * `|` and `{}` mean nothing special (we never use record shapes or HTML labels). Inside a quoted string
 * `"` must be `\"`; a label then reads `\` as the start of an escape (`\n`, `\l`, `\N` …), so a
 * backslash is written `\\`. A control character would make invalid SVG: it is shown as `\u{…}`.
 */
export function dotString(text: string): string {
  return `"${escapeText(text)}"`;
}

/** A multi-line label: each line escaped, joined by Graphviz's centred line break `\n`. */
export function dotLabel(lines: readonly string[]): string {
  return `"${lines.map(escapeText).join("\\n")}"`;
}

function escapeText(text: string): string {
  let escaped = "";
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (character === "\\") escaped += "\\\\";
    else if (character === '"') escaped += '\\"';
    else if (isControl(code)) escaped += `\\\\u{${code.toString(16).toUpperCase()}}`;
    else escaped += character;
  }
  return escaped;
}

/** A `//` comment cannot hold a line break; nothing else in it matters. */
export function dotComment(text: string): string {
  return `// ${[...text].map((character) => (isControl(character.codePointAt(0) ?? 0) ? "?" : character)).join("")}`;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}
