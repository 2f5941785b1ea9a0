import type { SourceFile, Span } from "../diagnostics";

/** A `%{name}` escape in a template: the header it reads and where it is in the decoded text. */
export interface HeaderEscape {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The `%{name}` escapes of a template, in order. `%%` is a literal `%` (Flume's BucketPath), so `%%{x}`
 * reads nothing. The names are not validated here: a kind's `validate` refuses the ones it cannot expand,
 * and such a value reaches this check as invalid.
 */
export function headerEscapes(template: string): HeaderEscape[] {
  const escapes: HeaderEscape[] = [];
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== "%") continue;
    const next = template[i + 1];
    if (next === "%") {
      i++;
      continue;
    }
    if (next !== "{") continue;
    const close = template.indexOf("}", i + 2);
    if (close < 0) break;
    const name = template.slice(i + 2, close);
    if (name !== "") escapes.push({ name, start: i, end: close + 1 });
    i = close;
  }
  return escapes;
}

const SIMPLE_ESCAPES = new Set(["\\", '"', "n", "r", "t"]);

/**
 * The span in the file of the characters `[start, end)` of a string literal's decoded value, so a
 * diagnostic can underline `%{host}` inside `"logs/%{host}.log"` even after escapes such as `\"` or
 * `\u{…}`. Falls back to the whole literal when the span does not hold a plain string literal.
 */
export function spanInString(file: SourceFile, literal: Span, start: number, end: number): Span {
  const raw = file.text.slice(literal.start, literal.end);
  if (raw.length < 2 || raw[0] !== '"' || raw[raw.length - 1] !== '"') return literal;
  // offsets[i]: where decoded character i starts in the file; one entry more for the end.
  const offsets: number[] = [];
  for (let i = 1; i < raw.length - 1; i++) {
    const at = literal.start + i;
    if (raw[i] !== "\\") {
      offsets.push(at);
      continue;
    }
    const next = raw[i + 1] ?? "";
    if (SIMPLE_ESCAPES.has(next)) {
      offsets.push(at);
      i++;
      continue;
    }
    const unicode = /^u\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 1));
    if (unicode === null) return literal;
    // A code point past the Basic Multilingual Plane decodes to two UTF-16 units.
    const units = String.fromCodePoint(Math.min(parseInt(unicode[1] as string, 16), 0x10ffff)).length;
    for (let unit = 0; unit < units; unit++) offsets.push(at);
    i += unicode[0].length;
  }
  offsets.push(literal.end - 1);
  const from = offsets[start];
  const lastChar = offsets[end - 1];
  if (from === undefined || lastChar === undefined || end <= start) return literal;
  // The end is past the last character's source text, which is longer than one character for an escape.
  const after = offsets.slice(end).find((offset) => offset > lastChar) ?? literal.end - 1;
  return { start: from, end: after };
}
