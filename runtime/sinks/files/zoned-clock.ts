import type { TimeLetter } from "./path-template";

/** What each time escape writes for one moment; `%t` is the raw timestamp and not a field. */
export type TimeFields = Readonly<Record<Exclude<TimeLetter, "t">, string>>;

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] as const;

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Flume's rounding (`round`, `roundValue`, `roundUnit`): the field of `unit` goes down to a multiple of `value`. */
export interface Rounding {
  readonly unit: "second" | "minute" | "hour";
  readonly value: number;
}

/**
 * The rounding a `round_down` duration means: whole seconds up to 60s, whole minutes up to 60m, whole hours
 * up to 24h (Flume's limits); undefined for 0 (no rounding). Throws a message for other durations.
 */
export function roundingOf(ms: number): Rounding | undefined {
  if (ms === 0) return undefined;
  if (ms % HOUR === 0 && ms / HOUR <= 24) return { unit: "hour", value: ms / HOUR };
  if (ms % MINUTE === 0 && ms / MINUTE <= 60) return { unit: "minute", value: ms / MINUTE };
  if (ms % SECOND === 0 && ms / SECOND <= 60) return { unit: "second", value: ms / SECOND };
  throw new RangeError("must be whole seconds up to 60s, whole minutes up to 60m, or whole hours up to 24h");
}

const UNIT_MS = { second: SECOND, minute: MINUTE, hour: HOUR } as const;
/** How many of each unit make the next larger field (a minute's seconds, an hour's minutes, a day's hours). */
const UNITS_PER_FIELD = { second: 60, minute: 60, hour: 24 } as const;

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/**
 * Rounds a local time (milliseconds as if the zone were UTC) down as Flume does: the field of the unit goes
 * down to a multiple of the value and smaller fields to zero, so `10m` turns 11:54:34 into 11:50:00 and
 * `5h` counts from midnight (0, 5, 10, 15, 20).
 */
export function roundDown(local: number, rounding: Rounding): number {
  const unitMs = UNIT_MS[rounding.unit];
  const field = mod(Math.floor(local / unitMs), UNITS_PER_FIELD[rounding.unit]);
  return local - mod(local, unitMs) - (field % rounding.value) * unitMs;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * Time in one zone: the agent's own (the `TZ` environment variable, or the system's) when `timeZone` is
 * empty, otherwise an IANA zone such as `UTC` or `Europe/Paris`. Throws `RangeError` for an unknown zone.
 */
export class ZonedClock {
  private readonly format: Intl.DateTimeFormat | undefined;

  constructor(readonly timeZone: string) {
    this.format =
      timeZone === ""
        ? undefined
        : new Intl.DateTimeFormat("en-US", {
            timeZone,
            hourCycle: "h23",
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
          });
  }

  /** The zone's offset from UTC at `ms`, in milliseconds (positive east of Greenwich). */
  offsetAt(ms: number): number {
    const format = this.format;
    if (format === undefined) return -new Date(ms).getTimezoneOffset() * MINUTE;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of format.formatToParts(ms)) {
      const value = Number(part.value);
      switch (part.type) {
        case "year":
          year = value;
          break;
        case "month":
          month = value;
          break;
        case "day":
          day = value;
          break;
        case "hour":
          hour = value;
          break;
        case "minute":
          minute = value;
          break;
        case "second":
          second = value;
          break;
        default:
      }
    }
    return Date.UTC(year, month - 1, day, hour, minute, second) - (ms - mod(ms, SECOND));
  }

  /** The fields of the local time `local` (milliseconds as if the zone were UTC), whose zone offset is `offset`. */
  fields(local: number, offset: number): TimeFields {
    const date = new Date(local);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    const day = date.getUTCDate();
    const hour = date.getUTCHours();
    const minute = date.getUTCMinutes();
    const second = date.getUTCSeconds();
    const weekday = date.getUTCDay();
    const hour12 = hour % 12 === 0 ? 12 : hour % 12;
    const dayOfYear = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
    const shortWeekday = WEEKDAYS[weekday]?.slice(0, 3) ?? "";
    const shortMonth = MONTHS[month]?.slice(0, 3) ?? "";
    const offsetMinutes = Math.round(Math.abs(offset) / MINUTE);
    return {
      a: shortWeekday,
      A: WEEKDAYS[weekday] ?? "",
      b: shortMonth,
      B: MONTHS[month] ?? "",
      c: `${shortWeekday} ${shortMonth} ${day} ${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)} ${pad(year, 4)}`,
      d: pad(day, 2),
      e: String(day),
      D: `${pad(month + 1, 2)}/${pad(day, 2)}/${pad(year % 100, 2)}`,
      H: pad(hour, 2),
      I: pad(hour12, 2),
      j: pad(dayOfYear, 3),
      k: String(hour),
      l: String(hour12),
      m: pad(month + 1, 2),
      n: String(month + 1),
      M: pad(minute, 2),
      p: hour < 12 ? "AM" : "PM",
      s: String(Math.floor((local - offset) / SECOND)),
      S: pad(second, 2),
      y: pad(year % 100, 2),
      Y: pad(year, 4),
      z: `${offset < 0 ? "-" : "+"}${pad(Math.floor(offsetMinutes / 60), 2)}${pad(offsetMinutes % 60, 2)}`,
    };
  }
}
