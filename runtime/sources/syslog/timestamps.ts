/**
 * Syslog timestamps to epoch milliseconds: RFC 3339 (RFC 5424's TIMESTAMP, also sent in RFC 3164 headers
 * by rsyslog's high-precision format) and BSD `Mmm dd hh:mm:ss` (RFC 3164), which has neither a year
 * nor a time zone. Pure functions over the received bytes: nothing is decoded or allocated on the way.
 */

const DAY_MS = 86_400_000;
/** How far in the future a BSD timestamp may be once its year is inferred (clocks disagree, logs arrive late). */
export const YEAR_INFERENCE_FUTURE_MS = 31 * DAY_MS;

const ZERO = 0x30;
const SPACE = 0x20;

/** A time zone that turns a wall-clock time into an instant. */
export interface WallClockZone {
  /** What the user configured, for messages. */
  readonly name: string;
  /** Epoch milliseconds of the wall-clock time; `month` is 1–12. The fields are valid (see `isValidDate`). */
  toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Epoch ms of a UTC wall-clock time, for every year 0–9999 (`Date.UTC` maps years 0–99 to 1900–1999). */
export function utcEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year >= 100) return time;
  const date = new Date(time);
  date.setUTCFullYear(year);
  return date.getTime();
}

class UtcZone implements WallClockZone {
  readonly name = "UTC";
  toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
    return utcEpochMs(year, month, day, hour, minute, second, ms);
  }
}

class FixedOffsetZone implements WallClockZone {
  constructor(
    readonly name: string,
    /** Local time minus UTC, in ms. */
    private readonly offsetMs: number,
  ) {}
  toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
    return utcEpochMs(year, month, day, hour, minute, second, ms) - this.offsetMs;
  }
}

/** The agent's own zone (the `TZ` environment variable, else the system's), as JavaScript's `Date` sees it. */
class LocalZone implements WallClockZone {
  readonly name = "local";
  toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
    const date = new Date(year, month - 1, day, hour, minute, second, ms);
    if (year < 100) date.setFullYear(year);
    return date.getTime();
  }
}

/** Offsets looked up once per quarter of an hour of wall-clock time: zones change offset on such boundaries. */
const CACHE_BUCKET_MS = 15 * 60_000;

/** An IANA zone (`Europe/Paris`), through `Intl`; the offset is cached for the last quarter hour looked up. */
class IanaZone implements WallClockZone {
  private readonly format: Intl.DateTimeFormat;
  private cachedBucket = Number.NaN;
  private cachedOffsetMs = 0;

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
    const wall = utcEpochMs(year, month, day, hour, minute, second, ms);
    const bucket = Math.floor(wall / CACHE_BUCKET_MS);
    if (bucket !== this.cachedBucket) {
      // The offset at the instant the wall time would be if the offset were the one at the wall time read as
      // UTC. When that first guess is right this gives it again; across a change of offset it gives the
      // right one. A wall time in an hour the change skips is read with the offset from before the change;
      // one in an hour it repeats, as the second of the two instants.
      this.cachedOffsetMs = this.offsetAt(wall - this.offsetAt(wall));
      this.cachedBucket = bucket;
    }
    return wall - this.cachedOffsetMs;
  }

  /** Wall-clock time minus UTC at instant `epochMs`, in ms. */
  private offsetAt(epochMs: number): number {
    const whole = Math.floor(epochMs / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.format.formatToParts(whole)) {
      switch (part.type) {
        case "year":
          year = Number(part.value);
          break;
        case "month":
          month = Number(part.value);
          break;
        case "day":
          day = Number(part.value);
          break;
        case "hour":
          hour = Number(part.value);
          break;
        case "minute":
          minute = Number(part.value);
          break;
        case "second":
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    return utcEpochMs(year, month, day, hour, minute, second, 0) - whole;
  }
}

const OFFSET = /^([+-])(\d{2}):?(\d{2})?$/;

/**
 * The zone named by the `timezone` property: `local`, `UTC` (or `Z`), a fixed offset (`+02:00`, `-0530`,
 * `+01`) or an IANA name (`Europe/Paris`). Undefined when the name is not known.
 */
export function resolveTimeZone(text: string): WallClockZone | undefined {
  const name = text.trim();
  if (name === "local") return new LocalZone();
  if (name === "UTC" || name === "utc" || name === "Z" || name === "Etc/UTC") return new UtcZone();
  const offset = OFFSET.exec(name);
  if (offset !== null) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? "0");
    if (hours > 23 || minutes > 59) return undefined;
    return new FixedOffsetZone(name, (offset[1] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000);
  }
  if (name === "") return undefined;
  try {
    return new IanaZone(name);
  } catch {
    return undefined; // RangeError: Invalid time zone specified
  }
}

function digit(bytes: Buffer, at: number): number {
  const value = (bytes[at] ?? 0) - ZERO;
  return value >= 0 && value <= 9 ? value : -1;
}

/** The number written by `count` digits at `at`, or -1. */
function digits(bytes: Buffer, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const d = digit(bytes, at + i);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

function validTime(hour: number, minute: number, second: number): boolean {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

/**
 * Parses an RFC 3339 timestamp filling exactly `bytes[start, end)`: `2026-11-21T23:26:38.780743+00:00`,
 * `…Z`, 1–9 digits of fraction (cut to milliseconds). RFC 5424 requires the offset; one without it is read
 * in `zone`. Returns epoch ms, or NaN when the text is not such a timestamp or names an impossible date.
 */
export function parseRfc3339(bytes: Buffer, start: number, end: number, zone: WallClockZone): number {
  if (end - start < 19) return Number.NaN;
  const year = digits(bytes, start, 4);
  const month = digits(bytes, start + 5, 2);
  const day = digits(bytes, start + 8, 2);
  const hour = digits(bytes, start + 11, 2);
  const minute = digits(bytes, start + 14, 2);
  const second = digits(bytes, start + 17, 2);
  const t = bytes[start + 10];
  if (
    year < 0 ||
    bytes[start + 4] !== 0x2d ||
    bytes[start + 7] !== 0x2d ||
    (t !== 0x54 && t !== 0x74) ||
    bytes[start + 13] !== 0x3a ||
    bytes[start + 16] !== 0x3a ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    !validTime(hour, minute, second)
  ) {
    return Number.NaN;
  }
  let at = start + 19;
  let ms = 0;
  if (at < end && bytes[at] === 0x2e) {
    at++;
    const fractionStart = at;
    while (at < end && digit(bytes, at) >= 0) {
      if (at - fractionStart < 3) ms = ms * 10 + digit(bytes, at);
      at++;
    }
    const length = at - fractionStart;
    if (length === 0 || length > 9) return Number.NaN;
    if (length === 1) ms *= 100;
    else if (length === 2) ms *= 10;
  }
  if (at === end) return zone.toEpochMs(year, month, day, hour, minute, second, ms);
  const sign = bytes[at];
  if ((sign === 0x5a || sign === 0x7a) && at + 1 === end) return utcEpochMs(year, month, day, hour, minute, second, ms);
  if ((sign !== 0x2b && sign !== 0x2d) || end - at !== 6 || bytes[at + 3] !== 0x3a) return Number.NaN;
  const offsetHours = digits(bytes, at + 1, 2);
  const offsetMinutes = digits(bytes, at + 4, 2);
  if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return Number.NaN;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return utcEpochMs(year, month, day, hour, minute, second, ms) - (sign === 0x2d ? -offsetMs : offsetMs);
}

/** Month numbers by the three lower-cased letters of their English abbreviation, packed into an integer. */
const MONTHS = new Map<number, number>(
  ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map((name, i) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    i + 1,
  ]),
);

function monthAt(bytes: Buffer, at: number): number {
  const key = (((bytes[at] ?? 0) | 0x20) << 16) | (((bytes[at + 1] ?? 0) | 0x20) << 8) | ((bytes[at + 2] ?? 0) | 0x20);
  return MONTHS.get(key) ?? 0;
}

/** Where a BSD timestamp ended and the instant it names (see `parseBsdTimestamp`). */
export interface BsdTimestamp {
  /** Index just after the timestamp, or -1 when there is none at `start`. */
  end: number;
  /** Epoch ms, or NaN when the timestamp names no date (February 29 of no year near now). */
  epochMs: number;
}

/**
 * Parses an RFC 3164 timestamp at `bytes[start]`: `Mmm dd hh:mm:ss`, the day padded with a space or a
 * zero (`Nov  1`, `Nov 01`), optionally with a fraction (`…:38.123`) or a year before the time
 * (`Nov 21 2026 23:26:38`, as Cisco devices send). The time is read in `zone`; without a year, the year is
 * the latest one that puts the instant no more than 31 days after `nowMs` (Flume keeps a window of one
 * month ahead and eleven behind; this is the same rule stated once). The timestamp must be followed by a
 * space or the end of `bytes[…, limit)`. Writes into `out` (reused, so no allocation per message).
 */
export function parseBsdTimestamp(bytes: Buffer, start: number, limit: number, zone: WallClockZone, nowMs: number, out: BsdTimestamp): void {
  out.end = -1;
  out.epochMs = Number.NaN;
  if (limit - start < 15) return;
  const month = monthAt(bytes, start);
  if (month === 0 || bytes[start + 3] !== SPACE) return;
  let at = start + 4;
  if (bytes[at] === SPACE) at++; // `Nov  1`
  let day = digit(bytes, at);
  if (day < 0) return;
  at++;
  const dayUnits = digit(bytes, at);
  if (dayUnits >= 0) {
    day = day * 10 + dayUnits;
    at++;
  }
  if (bytes[at] !== SPACE || day < 1 || day > 31) return;
  at++;
  let year = -1;
  if (digit(bytes, at + 2) >= 0) {
    // `yyyy hh:mm:ss`
    year = digits(bytes, at, 4);
    if (year < 0 || bytes[at + 4] !== SPACE) return;
    at += 5;
  }
  const hour = digits(bytes, at, 2);
  const minute = digits(bytes, at + 3, 2);
  const sec = digits(bytes, at + 6, 2);
  if (bytes[at + 2] !== 0x3a || bytes[at + 5] !== 0x3a || !validTime(hour, minute, sec)) return;
  at += 8;
  let ms = 0;
  if (bytes[at] === 0x2e && digit(bytes, at + 1) >= 0) {
    at++;
    const fractionStart = at;
    while (at < limit && digit(bytes, at) >= 0) {
      if (at - fractionStart < 3) ms = ms * 10 + digit(bytes, at);
      at++;
    }
    const length = at - fractionStart;
    if (length > 9) return;
    if (length === 1) ms *= 100;
    else if (length === 2) ms *= 10;
  }
  if (at > limit || (at < limit && bytes[at] !== SPACE)) return;
  out.end = at;
  if (year >= 0) {
    if (day <= daysInMonth(year, month)) out.epochMs = zone.toEpochMs(year, month, day, hour, minute, sec, ms);
    return;
  }
  out.epochMs = inferYear(month, day, hour, minute, sec, ms, zone, nowMs);
}

/**
 * The instant of a yearless wall-clock time: in the latest year that puts it at most
 * `YEAR_INFERENCE_FUTURE_MS` after `nowMs` (so `Dec 31` read on January 2 is last year's, and a sender
 * whose clock is a little ahead is not pushed a year back). NaN if no year near now has that date.
 */
export function inferYear(month: number, day: number, hour: number, minute: number, second: number, ms: number, zone: WallClockZone, nowMs: number): number {
  const limit = nowMs + YEAR_INFERENCE_FUTURE_MS;
  const current = new Date(nowMs).getUTCFullYear();
  // Eight years back reaches a leap year for February 29 whatever the current year.
  for (let year = current + 1; year >= current - 8; year--) {
    if (day > daysInMonth(year, month)) continue;
    const epochMs = zone.toEpochMs(year, month, day, hour, minute, second, ms);
    if (epochMs <= limit) return epochMs;
  }
  return Number.NaN;
}
