import { FlowEvent, type Headers } from "../../core/event";
import { SYSLOG_HEADERS as H, SYSLOG_STATUS } from "./headers";
import { parseBsdTimestamp, parseRfc3339, type BsdTimestamp, type WallClockZone } from "./timestamps";

/**
 * One syslog message (a frame, without its framing) to one event: RFC 5424 when the PRI is followed by a
 * version (`<13>1 …`), RFC 3164 otherwise, and `Invalid` when there is no valid PRI or an RFC 5424 header
 * is broken. Works on the bytes: header fields are printable ASCII and become header strings; the body
 * is a view of the received bytes (never decoded, so non-UTF-8 and NUL bytes arrive as sent).
 */
export interface SyslogParserOptions {
  /** The body is the whole message as received (Flume's `keepFields = all`) instead of its MSG part. */
  readonly keepFields: boolean;
  /** Zone of RFC 3164 timestamps (and RFC 3339 ones sent without an offset). */
  readonly zone: WallClockZone;
  /** The clock the year of RFC 3164 timestamps is inferred from. */
  readonly now?: () => number;
}

const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const SPACE = 0x20;
const DASH = 0x2d;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const ZERO = 0x30;
const NINE = 0x39;

/** Header values for every PRI part, made once. */
const NUMBERS = Array.from({ length: 24 }, (_, i) => String(i));

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE;
}

/** RFC 5424's PRINTUSASCII: `!` to `~`. */
function isPrintable(byte: number | undefined): boolean {
  return byte !== undefined && byte > SPACE && byte < 0x7f;
}

/** The end of the run of printable ASCII starting at `at`. */
function tokenEnd(bytes: Buffer, at: number): number {
  let end = at;
  while (end < bytes.length && isPrintable(bytes[end])) end++;
  return end;
}

/** An SD-NAME character: printable ASCII but `=`, space, `]` and `"`. */
function isSdNameByte(byte: number | undefined): boolean {
  return isPrintable(byte) && byte !== EQUALS && byte !== CLOSE_BRACKET && byte !== QUOTE;
}

const UTF8_BOM_0 = 0xef;
const UTF8_BOM_1 = 0xbb;
const UTF8_BOM_2 = 0xbf;

/** Why a message is `Invalid`, as the source logs it. */
export const PROBLEMS = {
  noPri: "it does not start with a <PRI>",
  badPri: "its <PRI> is not a number from 0 to 191",
  badTimestamp: "its RFC 5424 TIMESTAMP is not an RFC 3339 date",
  badHeaderField: "its RFC 5424 header has a missing or non-ASCII field",
  badStructuredData: "its RFC 5424 STRUCTURED-DATA is malformed",
  noSpaceAfterStructuredData: "its RFC 5424 STRUCTURED-DATA is not followed by a space",
} as const;

export class SyslogParser {
  /** Why the last message parsed is `Invalid` (see `PROBLEMS`), or undefined when it is not. */
  problem: string | undefined = undefined;
  private readonly keepFields: boolean;
  private readonly zone: WallClockZone;
  private readonly now: () => number;
  /** Reused by every RFC 3164 parse. */
  private readonly bsd: BsdTimestamp = { end: -1, epochMs: Number.NaN };

  constructor(options: SyslogParserOptions) {
    this.keepFields = options.keepFields;
    this.zone = options.zone;
    this.now = options.now ?? Date.now;
  }

  parse(frame: Buffer): FlowEvent {
    this.problem = undefined;
    const headers: Headers = {};
    if (frame[0] !== LESS_THAN) return this.invalid(headers, frame, PROBLEMS.noPri);
    let at = 1;
    let pri = 0;
    while (at < frame.length && at <= 4 && isDigit(frame[at])) pri = pri * 10 + ((frame[at++] as number) - ZERO);
    if (at === 1 || at > 4 || frame[at] !== GREATER_THAN || pri > 191) return this.invalid(headers, frame, PROBLEMS.badPri);
    at++;
    headers[H.facility] = NUMBERS[pri >> 3] as string;
    headers[H.severity] = NUMBERS[pri & 7] as string;
    // RFC 5424: a version (1–2 digits, not starting with 0) and a space; RFC 3164 never has a digit then a space here.
    const v = frame[at];
    if (v !== undefined && v > ZERO && v <= NINE && (frame[at + 1] === SPACE || (isDigit(frame[at + 1]) && frame[at + 2] === SPACE))) {
      return this.parse5424(frame, at, headers);
    }
    return this.parse3164(frame, at, headers);
  }

  private invalid(headers: Headers, frame: Buffer, problem: string): FlowEvent {
    this.problem = problem;
    headers[H.status] = SYSLOG_STATUS.invalid;
    return new FlowEvent(headers, frame);
  }

  /** `VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]`, from VERSION. */
  private parse5424(frame: Buffer, start: number, headers: Headers): FlowEvent {
    const versionEnd = frame.indexOf(SPACE, start);
    const version = frame.toString("latin1", start, versionEnd);
    let at = versionEnd + 1;

    const timestampEnd = tokenEnd(frame, at);
    if (timestampEnd === at || frame[timestampEnd] !== SPACE) return this.invalid(headers, frame, PROBLEMS.badHeaderField);
    if (!(timestampEnd === at + 1 && frame[at] === DASH)) {
      const epochMs = parseRfc3339(frame, at, timestampEnd, this.zone);
      if (Number.isNaN(epochMs)) return this.invalid(headers, frame, PROBLEMS.badTimestamp);
      headers[H.timestamp] = String(epochMs);
    }
    at = timestampEnd + 1;

    // HOSTNAME, APP-NAME, PROCID, MSGID: printable ASCII or `-` (none), each followed by a space.
    for (let field = 0; field < 4; field++) {
      const end = tokenEnd(frame, at);
      if (end === at || frame[end] !== SPACE) return this.invalid(headers, frame, PROBLEMS.badHeaderField);
      if (!(end === at + 1 && frame[at] === DASH)) {
        const value = frame.toString("latin1", at, end);
        if (field === 0) headers[H.host] = value;
        else if (field === 1) headers[H.app] = value;
        else if (field === 2) headers[H.procid] = value;
        else headers[H.msgid] = value;
      }
      at = end + 1;
    }

    let bodyStart: number;
    if (frame[at] === DASH) {
      at++;
    } else {
      const sdEnd = structuredDataEnd(frame, at);
      if (sdEnd < 0) return this.invalid(headers, frame, PROBLEMS.badStructuredData);
      headers[H.structuredData] = frame.toString("utf8", at, sdEnd);
      at = sdEnd;
    }
    if (at === frame.length) bodyStart = at;
    else if (frame[at] === SPACE) bodyStart = at + 1;
    else return this.invalid(headers, frame, PROBLEMS.noSpaceAfterStructuredData);

    headers[H.version] = version;
    if (this.keepFields) return new FlowEvent(headers, frame);
    // MSG may start with a UTF-8 byte order mark (RFC 5424 §6.4): it is not part of the text.
    if (frame[bodyStart] === UTF8_BOM_0 && frame[bodyStart + 1] === UTF8_BOM_1 && frame[bodyStart + 2] === UTF8_BOM_2) bodyStart += 3;
    return new FlowEvent(headers, frame.subarray(bodyStart));
  }

  /**
   * `[TIMESTAMP SP [HOSTNAME SP]] [TAG[[PID]]: ] CONTENT`, from after the PRI. RFC 3164 describes what relays
   * saw rather than a grammar, so this is lenient: every part is optional and nothing makes a message with
   * a valid PRI invalid. A word after the timestamp is the host unless it looks like a tag (ends with `:`
   * or has `[`), as when a local logger leaves the host out.
   */
  private parse3164(frame: Buffer, start: number, headers: Headers): FlowEvent {
    let at = start;
    let timestamped = false;
    if (isDigit(frame[at])) {
      // rsyslog's high-precision format: an RFC 3339 timestamp in place of the BSD one.
      const end = tokenEnd(frame, at);
      const epochMs = parseRfc3339(frame, at, end, this.zone);
      if (!Number.isNaN(epochMs) && (end === frame.length || frame[end] === SPACE)) {
        headers[H.timestamp] = String(epochMs);
        at = end === frame.length ? end : end + 1;
        timestamped = true;
      }
    } else {
      const bsd = this.bsd;
      parseBsdTimestamp(frame, at, frame.length, this.zone, this.now(), bsd);
      if (bsd.end >= 0) {
        if (!Number.isNaN(bsd.epochMs)) headers[H.timestamp] = String(bsd.epochMs);
        at = bsd.end === frame.length ? bsd.end : bsd.end + 1;
        timestamped = true;
      }
    }

    if (timestamped) {
      const end = tokenEnd(frame, at);
      if (end > at && frame[end] === SPACE && frame[end - 1] !== COLON && !hasByte(frame, at, end, OPEN_BRACKET)) {
        headers[H.host] = frame.toString("latin1", at, end);
        at = end + 1;
      }
    }

    // TAG: printable ASCII up to `:` or `[PID]:`, followed by a space or the end.
    let tagEnd = at;
    while (tagEnd < frame.length && isPrintable(frame[tagEnd]) && frame[tagEnd] !== COLON && frame[tagEnd] !== OPEN_BRACKET && frame[tagEnd] !== CLOSE_BRACKET) tagEnd++;
    if (tagEnd > at) {
      let pidStart = -1;
      let pidEnd = -1;
      let colon = tagEnd;
      if (frame[tagEnd] === OPEN_BRACKET) {
        pidStart = tagEnd + 1;
        pidEnd = pidStart;
        while (pidEnd < frame.length && isPrintable(frame[pidEnd]) && frame[pidEnd] !== CLOSE_BRACKET) pidEnd++;
        colon = pidEnd > pidStart && frame[pidEnd] === CLOSE_BRACKET ? pidEnd + 1 : -1;
      }
      if (colon >= 0 && frame[colon] === COLON && (colon + 1 === frame.length || frame[colon + 1] === SPACE)) {
        headers[H.app] = frame.toString("latin1", at, tagEnd);
        if (pidStart >= 0) headers[H.procid] = frame.toString("latin1", pidStart, pidEnd);
        at = colon + 1 === frame.length ? colon + 1 : colon + 2;
      }
    }
    return new FlowEvent(headers, this.keepFields ? frame : frame.subarray(at));
  }
}

function hasByte(bytes: Buffer, start: number, end: number, byte: number): boolean {
  const found = bytes.indexOf(byte, start);
  return found !== -1 && found < end;
}

/**
 * The end of one or more SD-ELEMENTs at `at`: `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]`, values escaping `"`,
 * `\` and `]` with a backslash. -1 when malformed.
 */
export function structuredDataEnd(bytes: Buffer, start: number): number {
  let at = start;
  if (bytes[at] !== OPEN_BRACKET) return -1;
  while (bytes[at] === OPEN_BRACKET) {
    at++;
    const idStart = at;
    while (isSdNameByte(bytes[at])) at++;
    if (at === idStart) return -1;
    while (bytes[at] === SPACE) {
      at++;
      const nameStart = at;
      while (isSdNameByte(bytes[at])) at++;
      if (at === nameStart || bytes[at] !== EQUALS || bytes[at + 1] !== QUOTE) return -1;
      at += 2;
      // PARAM-VALUE: anything (UTF-8) up to an unescaped quote.
      for (;;) {
        const byte = bytes[at];
        if (byte === undefined) return -1;
        if (byte === QUOTE) break;
        at += byte === BACKSLASH ? 2 : 1;
      }
      at++;
    }
    if (bytes[at] !== CLOSE_BRACKET) return -1;
    at++;
  }
  return at;
}
