const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', n: "\n", r: "\r", t: "\t" };
const ESCAPE_BY_CHAR: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Characters that cannot be seen in an editor: controls, format characters, separators other than space. */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** The value of a string literal token, or undefined if an escape is invalid (the checker reports it). */
export function decodeString(image: string): string | undefined {
  const raw = image.slice(1, -1);
  let value = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const simple = SIMPLE_ESCAPES[raw[i + 1] ?? ""];
    if (simple !== undefined) {
      value += simple;
      i++;
      continue;
    }
    const unicode = /^u\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 1));
    const codePoint = unicode === null ? Number.NaN : parseInt(unicode[1] as string, 16);
    if (unicode === null || !(codePoint <= 0x10ffff)) return undefined;
    value += String.fromCodePoint(codePoint);
    i += unicode[0].length;
  }
  return value;
}

/**
 * A string literal in canonical form: `\\`, `\"`, `\n`, `\r`, `\t` for those characters, `\u{…}` (upper-case
 * hex) for characters that cannot be seen (controls, zero-width and bidi format characters, separators
 * other than the space), and every other character as itself, so `"\u{e9}"` becomes `"é"`.
 * A literal with an invalid escape is returned as written.
 */
export function canonicalString(image: string): string {
  const value = decodeString(image);
  return value === undefined ? image : encodeString(value);
}

export function encodeString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const simple = ESCAPE_BY_CHAR[ch];
    if (simple !== undefined) out += simple;
    else if (ch !== " " && INVISIBLE.test(ch)) out += `\\u{${(ch.codePointAt(0) as number).toString(16).toUpperCase()}}`;
    else out += ch;
  }
  return `${out}"`;
}
