import type { FlowEvent } from "../../core/event";

/**
 * One event as one line of text: `{name=value name2="a value"} body`. Nothing in an event can break the
 * line or reach a terminal as a control sequence: see `escapeBytes`.
 */
export function eventLine(event: FlowEvent, maxBodyLength: number): string {
  const headers = event.headers;
  let line = "{";
  let first = true;
  for (const name in headers) {
    line += `${first ? "" : " "}${headerText(name)}=${headerText(headers[name] as string)}`;
    first = false;
  }
  line += "}";
  const body = event.body;
  if (body.length > 0) line += ` ${escapeBytes(body, maxBodyLength)}`;
  return line;
}

const BARE = /^[\w.:/@+-]+$/;

/** A header name or value: bare when it is plain, otherwise quoted with its special characters escaped. */
function headerText(text: string): string {
  if (BARE.test(text)) return text;
  return `"${escapeBytes(Buffer.from(text, "utf8"), Number.MAX_SAFE_INTEGER).replaceAll('"', '\\"')}"`;
}

const BACKSLASH = 0x5c;

/**
 * `bytes` as readable text, at most `max` of them (never cutting a character), followed by
 * `... (+N bytes)` when some were left out. Printable ASCII and valid UTF-8 characters are kept; a
 * backslash is `\\`; tab, newline, carriage return are `\t`, `\n`, `\r`; other control bytes and every
 * byte that is not part of valid UTF-8 are `\xNN`; C1 controls, zero-width, line/paragraph separator and
 * bidirectional-override characters are `\u{NNNN}`.
 */
export function escapeBytes(bytes: Buffer, max: number): string {
  const end = Math.min(bytes.length, max);
  let out = "";
  let run = 0;
  let i = 0;
  while (i < end) {
    const byte = bytes[i] as number;
    if (byte >= 0x20 && byte < 0x7f && byte !== BACKSLASH) {
      i++;
      continue;
    }
    if (byte < 0x80) {
      if (run < i) out += bytes.toString("utf8", run, i);
      out += escapeAscii(byte);
      run = ++i;
      continue;
    }
    const length = utf8Length(bytes, i);
    if (length === 0) {
      if (run < i) out += bytes.toString("utf8", run, i);
      out += hexEscape(byte);
      run = ++i;
      continue;
    }
    if (i + length > end) break;
    const codePoint = decode(bytes, i, length);
    if (isInvisible(codePoint)) {
      if (run < i) out += bytes.toString("utf8", run, i);
      out += `\\u{${codePoint.toString(16).padStart(4, "0")}}`;
      run = i + length;
    }
    i += length;
  }
  if (run < i) out += bytes.toString("utf8", run, i);
  if (i < bytes.length) out += `... (+${bytes.length - i} bytes)`;
  return out;
}

function escapeAscii(byte: number): string {
  switch (byte) {
    case BACKSLASH:
      return "\\\\";
    case 0x09:
      return "\\t";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    default:
      return hexEscape(byte);
  }
}

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, "0")}`;
}

/** The length of the valid UTF-8 sequence starting at `at` (RFC 3629: no overlongs, no surrogates), or 0. */
function utf8Length(bytes: Buffer, at: number): number {
  const lead = bytes[at] as number;
  const available = bytes.length - at;
  const cont = (offset: number, low = 0x80, high = 0xbf): boolean => {
    const byte = bytes[at + offset] as number;
    return byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return available >= 2 && cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (available < 3) return 0;
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return cont(1, low, high) && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (available < 4) return 0;
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return cont(1, low, high) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function decode(bytes: Buffer, at: number, length: number): number {
  const lead = bytes[at] as number;
  let codePoint = length === 2 ? lead & 0x1f : length === 3 ? lead & 0x0f : lead & 0x07;
  for (let k = 1; k < length; k++) codePoint = (codePoint << 6) | ((bytes[at + k] as number) & 0x3f);
  return codePoint;
}

/** Characters a terminal shows as nothing, or that reorder what follows: escaped so they are seen. */
function isInvisible(codePoint: number): boolean {
  return (
    (codePoint >= 0x80 && codePoint <= 0x9f) ||
    codePoint === 0xad ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x2028 && codePoint <= 0x202e) ||
    (codePoint >= 0x2060 && codePoint <= 0x206f) ||
    codePoint === 0xfeff
  );
}
