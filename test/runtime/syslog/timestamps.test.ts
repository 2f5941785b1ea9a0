import { describe, expect, it } from "vitest";
import {
  inferYear,
  parseBsdTimestamp,
  parseRfc3339,
  resolveTimeZone,
  type BsdTimestamp,
  type WallClockZone,
} from "../../../runtime/sources/syslog/timestamps";

function zone(name: string): WallClockZone {
  const resolved = resolveTimeZone(name);
  if (resolved === undefined) throw new Error(`zone ${name} not resolved`);
  return resolved;
}

const UTC = zone("UTC");

function rfc3339(text: string, in_: WallClockZone = UTC): number {
  const bytes = Buffer.from(`x${text}y`, "latin1"); // offsets inside a larger buffer, as in a message
  return parseRfc3339(bytes, 1, 1 + text.length, in_);
}

function bsd(text: string, nowIso: string, in_: WallClockZone = UTC): BsdTimestamp {
  const out: BsdTimestamp = { end: -1, epochMs: Number.NaN };
  const bytes = Buffer.from(text, "latin1");
  parseBsdTimestamp(bytes, 0, bytes.length, in_, Date.parse(nowIso), out);
  return out;
}

describe("RFC 3339 timestamps (RFC 5424)", () => {
  it("reads logger's microseconds with an offset, cut to milliseconds", () => {
    expect(rfc3339("2026-11-21T23:26:38.780743+00:00")).toBe(Date.parse("2026-11-21T23:26:38.780Z"));
  });

  it("applies offsets east and west of UTC, and Z", () => {
    expect(rfc3339("2026-11-21T23:26:38+02:00")).toBe(Date.parse("2026-11-21T21:26:38Z"));
    expect(rfc3339("2026-11-21T23:26:38-05:30")).toBe(Date.parse("2026-11-22T04:56:38Z"));
    expect(rfc3339("2026-11-21T23:26:38Z")).toBe(Date.parse("2026-11-21T23:26:38Z"));
    expect(rfc3339("2026-11-21t23:26:38z")).toBe(Date.parse("2026-11-21T23:26:38Z"));
  });

  it("reads RFC 5424's own examples", () => {
    expect(rfc3339("1985-04-12T23:20:50.52Z")).toBe(Date.parse("1985-04-12T23:20:50.520Z"));
    expect(rfc3339("1985-04-12T19:20:50.52-04:00")).toBe(Date.parse("1985-04-12T23:20:50.520Z"));
    expect(rfc3339("2003-10-11T22:14:15.003Z")).toBe(Date.parse("2003-10-11T22:14:15.003Z"));
    expect(rfc3339("2003-08-24T05:14:15.000003-07:00")).toBe(Date.parse("2003-08-24T12:14:15.000Z"));
  });

  it("scales one and two digits of fraction to milliseconds", () => {
    expect(rfc3339("2026-01-01T00:00:00.5Z")).toBe(Date.parse("2026-01-01T00:00:00.500Z"));
    expect(rfc3339("2026-01-01T00:00:00.05Z")).toBe(Date.parse("2026-01-01T00:00:00.050Z"));
    expect(rfc3339("2026-01-01T00:00:00.123456789Z")).toBe(Date.parse("2026-01-01T00:00:00.123Z"));
  });

  it("reads a timestamp without an offset in the configured zone", () => {
    expect(rfc3339("2026-07-01T12:00:00", zone("+02:00"))).toBe(Date.parse("2026-07-01T10:00:00Z"));
    expect(rfc3339("2026-07-01T12:00:00", zone("Europe/Paris"))).toBe(Date.parse("2026-07-01T10:00:00Z"));
  });

  it("reads years before 100 as such, not as 19xx", () => {
    expect(new Date(rfc3339("0050-03-01T00:00:00Z")).getUTCFullYear()).toBe(50);
  });

  it.each([
    "RFC5424 is not a date",
    "2026-11-21 23:26:38Z",
    "2026-13-01T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T23:60:00Z",
    "2026-01-01T23:59:60Z",
    "2026-01-01T00:00:00.Z",
    "2026-01-01T00:00:00.1234567890Z",
    "2026-01-01T00:00:00+2:00",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00+02:60",
    "2026-01-01T00:00:00+0200",
    "2026-01-01T00:00:00Zjunk",
    "2026-1-01T00:00:00Z",
  ])("refuses %s", (text) => {
    expect(rfc3339(text)).toBeNaN();
  });

  it("accepts February 29 of a leap year", () => {
    expect(rfc3339("2024-02-29T00:00:00Z")).toBe(Date.parse("2024-02-29T00:00:00Z"));
    expect(rfc3339("2000-02-29T00:00:00Z")).toBe(Date.parse("2000-02-29T00:00:00Z"));
    expect(rfc3339("1900-02-29T00:00:00Z")).toBeNaN();
  });
});

describe("BSD timestamps (RFC 3164)", () => {
  it("reads logger --rfc3164's timestamp in the year of now", () => {
    const parsed = bsd("Nov 21 23:26:38 vm myapp: hello", "2026-11-21T23:26:40Z");
    expect(parsed.end).toBe(15);
    expect(parsed.epochMs).toBe(Date.parse("2026-11-21T23:26:38Z"));
  });

  it("reads days padded with a space or a zero, and any case of month", () => {
    expect(bsd("Feb  1 00:00:00", "2026-03-01T00:00:00Z").epochMs).toBe(Date.parse("2026-02-01T00:00:00Z"));
    expect(bsd("Feb 01 00:00:00", "2026-03-01T00:00:00Z").epochMs).toBe(Date.parse("2026-02-01T00:00:00Z"));
    expect(bsd("feb 1 00:00:00 x", "2026-03-01T00:00:00Z").epochMs).toBe(Date.parse("2026-02-01T00:00:00Z"));
    expect(bsd("FEB  1 00:00:00", "2026-03-01T00:00:00Z").end).toBe(15);
  });

  it("reads fractions of a second and a year before the time (Cisco)", () => {
    expect(bsd("Nov 21 23:26:38.123 x", "2026-11-22T00:00:00Z").epochMs).toBe(Date.parse("2026-11-21T23:26:38.123Z"));
    const withYear = bsd("Nov 21 2019 23:26:38 host x", "2026-11-22T00:00:00Z");
    expect(withYear.epochMs).toBe(Date.parse("2019-11-21T23:26:38Z"));
    expect(withYear.end).toBe(20);
  });

  it("reads the time in the configured zone", () => {
    expect(bsd("Jul  1 12:00:00", "2026-07-02T00:00:00Z", zone("Europe/Paris")).epochMs).toBe(Date.parse("2026-07-01T10:00:00Z"));
    expect(bsd("Jan  1 12:00:00", "2026-07-02T00:00:00Z", zone("Europe/Paris")).epochMs).toBe(Date.parse("2026-01-01T11:00:00Z"));
    expect(bsd("Jan  1 12:00:00", "2026-07-02T00:00:00Z", zone("America/New_York")).epochMs).toBe(Date.parse("2026-01-01T17:00:00Z"));
    expect(bsd("Jan  1 12:00:00", "2026-07-02T00:00:00Z", zone("-0530")).epochMs).toBe(Date.parse("2026-01-01T17:30:00Z"));
  });

  it.each(["Nov 21 23:26", "Xyz 21 23:26:38", "Nov 32 23:26:38", "Nov 21 24:00:00", "Nov 21 23:26:38x", "Nov21 23:26:38 ", "2026-11-21T23:26:38Z"])(
    "finds no timestamp in %s",
    (text) => {
      expect(bsd(text, "2026-11-21T23:26:40Z").end).toBe(-1);
    },
  );
});

describe("year inference", () => {
  const at = (nowIso: string, month: number, day: number) => new Date(inferYear(month, day, 12, 0, 0, 0, UTC, Date.parse(nowIso))).toISOString();

  it("puts a date of the last eleven months in the past", () => {
    expect(at("2026-01-02T00:00:00Z", 12, 31)).toBe("2025-12-31T12:00:00.000Z");
    expect(at("2026-11-21T00:00:00Z", 1, 15)).toBe("2026-01-15T12:00:00.000Z");
    expect(at("2026-11-21T00:00:00Z", 11, 20)).toBe("2026-11-20T12:00:00.000Z");
  });

  it("allows a date up to 31 days ahead of now (a sender whose clock runs ahead, a relay across new year)", () => {
    expect(at("2025-12-31T00:00:00Z", 1, 2)).toBe("2026-01-02T12:00:00.000Z");
    expect(at("2026-11-21T00:00:00Z", 12, 20)).toBe("2026-12-20T12:00:00.000Z");
    expect(at("2026-11-21T00:00:00Z", 12, 23)).toBe("2025-12-23T12:00:00.000Z");
  });

  it("finds the last February 29 in a year that has none", () => {
    expect(at("2026-03-10T00:00:00Z", 2, 29)).toBe("2024-02-29T12:00:00.000Z");
    expect(at("2028-03-10T00:00:00Z", 2, 29)).toBe("2028-02-29T12:00:00.000Z");
  });
});

describe("time zones", () => {
  it("knows local, UTC, offsets and IANA names", () => {
    expect(resolveTimeZone("local")?.name).toBe("local");
    expect(resolveTimeZone("UTC")?.name).toBe("UTC");
    expect(resolveTimeZone("+02:00")?.toEpochMs(2026, 1, 1, 2, 0, 0, 0)).toBe(Date.parse("2026-01-01T00:00:00Z"));
    expect(resolveTimeZone("-05")?.toEpochMs(2026, 1, 1, 0, 0, 0, 0)).toBe(Date.parse("2026-01-01T05:00:00Z"));
    expect(resolveTimeZone("Asia/Kolkata")?.toEpochMs(2026, 1, 1, 5, 30, 0, 0)).toBe(Date.parse("2026-01-01T00:00:00Z"));
  });

  it("reads local time as Date does", () => {
    expect(resolveTimeZone("local")?.toEpochMs(2026, 7, 1, 12, 0, 0, 250)).toBe(new Date(2026, 6, 1, 12, 0, 0, 250).getTime());
  });

  it("follows daylight saving time across a change, also after the offset was cached", () => {
    const paris = zone("Europe/Paris");
    // Summer time starts on 2026-03-29 at 02:00 (UTC+1 → UTC+2).
    expect(paris.toEpochMs(2026, 3, 29, 1, 59, 0, 0)).toBe(Date.parse("2026-03-29T00:59:00Z"));
    expect(paris.toEpochMs(2026, 3, 29, 1, 59, 59, 0)).toBe(Date.parse("2026-03-29T00:59:59Z"));
    expect(paris.toEpochMs(2026, 3, 29, 3, 0, 0, 0)).toBe(Date.parse("2026-03-29T01:00:00Z"));
    // A time the change skips is read with the offset from before it.
    expect(paris.toEpochMs(2026, 3, 29, 2, 30, 0, 0)).toBe(Date.parse("2026-03-29T01:30:00Z"));
    // Winter time starts on 2026-10-25 at 03:00 (UTC+2 → UTC+1); 02:30 happens twice.
    expect(paris.toEpochMs(2026, 10, 25, 1, 30, 0, 0)).toBe(Date.parse("2026-10-24T23:30:00Z"));
    expect(paris.toEpochMs(2026, 10, 25, 2, 30, 0, 0)).toBe(Date.parse("2026-10-25T01:30:00Z"));
    expect(paris.toEpochMs(2026, 10, 25, 12, 0, 0, 0)).toBe(Date.parse("2026-10-25T11:00:00Z"));
  });

  it.each(["Mars/Olympus_Mons", "", "+25:00", "+02:61", "local time"])("refuses %j", (name) => {
    expect(resolveTimeZone(name)).toBeUndefined();
  });
});
