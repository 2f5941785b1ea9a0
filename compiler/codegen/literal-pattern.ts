/** Characters with a meaning of their own in a regex; escaped (`\.`), each stands for itself. */
const SYNTAX = new Set("^$\\.*+?()[]{}|/-");

/** Flags that change nothing for a pattern of plain ASCII characters (`i` does: it is not among them). */
const NEUTRAL_FLAGS = /^[gmsuy]*$/;

/**
 * The text a regex matches when it is a plain ASCII literal (`/timeout/`, `/GET \/api/`): every character
 * printable ASCII and either not regex syntax or escaped syntax, no flag but ones that cannot change what
 * such a pattern matches. `undefined` for anything else (classes, groups, quantifiers, anchors, `\d`, `i`).
 *
 * Why: an ASCII byte sequence occurs in UTF-8 bytes exactly where its text occurs in the decoded text
 * (UTF-8 never uses bytes below 0x80 inside a multi-byte character), so a route can search the body's
 * bytes and skip decoding it: the decode, and the string it allocates, are most of what a body test costs.
 */
export function asciiLiteralOf(pattern: string, flags: string): string | undefined {
  if (pattern.length === 0 || !NEUTRAL_FLAGS.test(flags)) return undefined;
  let literal = "";
  for (let i = 0; i < pattern.length; i++) {
    let char = pattern[i] as string;
    if (char === "\\") {
      const escaped = pattern[i + 1];
      if (escaped === undefined || !SYNTAX.has(escaped)) return undefined;
      char = escaped;
      i++;
    } else if (SYNTAX.has(char) && char !== "-") {
      return undefined;
    }
    const code = char.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return undefined;
    literal += char;
  }
  return literal;
}
