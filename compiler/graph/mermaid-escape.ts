/** Entity codes by name where mermaid (and a reader) knows one. */
const NAMED: Readonly<Record<string, string>> = { '"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;" };

/**
 * Printable ASCII that needs an entity code (`#35;`) in a quoted mermaid label:
 * - `"` ends the string and `#` starts an entity code (`#quot;`), so both are always encoded;
 * - `<`, `>` and `&` would reach the HTML of the label;
 * - `:` because mermaid rewrites `style…:…#…;` in the whole text before parsing, and `%` and a backtick
 *   because a line may start with `%%` (a comment) and a string with a backtick (markdown);
 * - `@` because `x@` outside a string names an edge.
 * `|`, brackets and parentheses are plain text inside quotes, so edge labels need no other escape.
 */
const ENCODED_ASCII = new Set(['"', "#", "&", "<", ">", ":", "%", "`", "@"]);

/**
 * A quoted mermaid label (`"…"`, used in node shapes, edge labels `|"…"|` and subgraph titles) for
 * plain text, with lines joined by `<br/>`. Mermaid has no backslash escapes; it decodes `#name;` and
 * `#123;` entity codes instead, which is what this writes for the characters above and for control
 * characters. Its lexer also reads any line holding `direction` followed by a space and `TB`, `BT`, `RL` or
 * `LR` as a direction statement, string or not, so such a `direction` loses its last letter to `#110;`.
 */
export function mermaidLabel(lines: readonly string[]): string {
  return `"${lines.map(encodeLine).join("<br/>")}"`;
}

function encodeLine(text: string): string {
  let encoded = "";
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    if (ENCODED_ASCII.has(character) || control) encoded += NAMED[character] ?? `#${code};`;
    else encoded += character;
  }
  return encoded.replace(/direction(?=\s)/g, "directio#110;");
}

/** A `%%` comment line cannot hold a line break; `%% ` (with the space) never starts a directive. */
export function mermaidComment(text: string): string {
  return `%% ${text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?")}`;
}
