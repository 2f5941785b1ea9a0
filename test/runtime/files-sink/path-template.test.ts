import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CompiledTemplate, fixedDirectoryOf, isFixed, MAX_HEADER_VALUE_LENGTH, parseTemplate, pathSafe, TemplateError, TIME_ESCAPES, type ResolveContext } from "../../../runtime/sinks/files/path-template";
import { roundingOf, ZonedClock } from "../../../runtime/sinks/files/zoned-clock";
import { event } from "../../helpers/events";

const HOSTS = { localhost: "web-1", IP: "10.1.2.3", FQDN: "web-1.example.com" } as const;

function template(text: string, options: { zone?: string; round?: number; local?: boolean; header?: string } = {}): CompiledTemplate {
  return new CompiledTemplate(parseTemplate(text), {
    timestampHeader: options.header ?? "timestamp",
    useLocalTime: options.local ?? false,
    rounding: roundingOf(options.round ?? 0),
    clock: new ZonedClock(options.zone ?? "UTC"),
    hosts: HOSTS,
  });
}

function context(now = 0): ResolveContext {
  return { now, timestampFallbacks: 0 };
}

/** Resolves `text` for an event at `ms` (its `timestamp` header) with `headers`. */
function expand(text: string, ms: number, options: Parameters<typeof template>[1] = {}, headers: Record<string, string> = {}): string {
  return template(text, options).resolve(event("x", { timestamp: String(ms), ...headers }), context());
}

/** Tuesday 2012-06-12 11:54:34.567 UTC, the Flume user guide's rounding example. */
const FLUME_EXAMPLE = Date.UTC(2012, 5, 12, 11, 54, 34, 567);

describe("path templates: Flume's escapes", () => {
  it.each<[string, string]>([
    ["%t", "1339502074567"],
    ["%a", "Tue"],
    ["%A", "Tuesday"],
    ["%b", "Jun"],
    ["%B", "June"],
    ["%c", "Tue Jun 12 11:54:34 2012"],
    ["%d", "12"],
    ["%e", "12"],
    ["%D", "06/12/12"],
    ["%H", "11"],
    ["%I", "11"],
    ["%j", "164"],
    ["%k", "11"],
    ["%l", "11"],
    ["%m", "06"],
    ["%n", "6"],
    ["%M", "54"],
    ["%p", "AM"],
    ["%s", "1339502074"],
    ["%S", "34"],
    ["%y", "12"],
    ["%Y", "2012"],
    ["%z", "+0000"],
    ["%%", "%"],
    ["%[localhost]", "web-1"],
    ["%[IP]", "10.1.2.3"],
    ["%[FQDN]", "web-1.example.com"],
    ["%[ip]", "10.1.2.3"],
    ["%{dept}", "ops"],
    ["%{x.y-z_1}", "dotted"],
  ])("%s", (text, expected) => {
    expect(expand(text, FLUME_EXAMPLE, {}, { dept: "ops", "x.y-z_1": "dotted" })).toBe(expected);
  });

  it("knows every letter of Flume's BucketPath (and tests each above)", () => {
    expect(Object.keys(TIME_ESCAPES).sort()).toEqual(["A", "B", "D", "H", "I", "M", "S", "Y", "a", "b", "c", "d", "e", "j", "k", "l", "m", "n", "p", "s", "t", "y", "z"]);
  });

  it("pads and does not pad as Java's SimpleDateFormat does (a single-digit day, midnight, the afternoon)", () => {
    const earlyMorning = Date.UTC(2026, 0, 5, 0, 7, 9);
    expect(expand("%d|%e|%H|%k|%I|%l|%p|%j|%c|%m|%n", earlyMorning)).toBe("05|5|00|0|12|12|AM|005|Mon Jan 5 00:07:09 2026|01|1");
    const afternoon = Date.UTC(2026, 11, 31, 13, 0, 0);
    expect(expand("%H|%k|%I|%l|%p|%j|%y|%a %b", afternoon)).toBe("13|13|01|1|PM|365|26|Thu Dec");
    expect(expand("%Y|%y", Date.UTC(2005, 0, 1))).toBe("2005|05");
  });

  it("agrees with GNU date on every strftime-compatible escape, in several zones (DST and half-hour offsets too)", () => {
    const letters = ["a", "A", "b", "B", "d", "e", "D", "H", "I", "j", "k", "l", "m", "M", "p", "s", "S", "y", "Y", "z"];
    const moments = [FLUME_EXAMPLE, Date.UTC(2026, 2, 29, 0, 59, 59), Date.UTC(2026, 9, 25, 1, 30), Date.UTC(2024, 1, 29, 23, 0, 1), Date.UTC(1999, 11, 31, 23, 59, 59)];
    for (const zone of ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]) {
      for (const ms of moments) {
        const format = letters.map((letter) => `%${letter}`).join("|");
        const expected = execFileSync("date", ["-d", `@${Math.floor(ms / 1000)}`, `+${format}`], { env: { TZ: zone, LC_ALL: "C" }, encoding: "utf8" }).trim();
        // `date` pads %e, %k and %l with a space where Java writes no padding.
        expect(expand(format, ms, { zone }), `${zone} ${new Date(ms).toISOString()}`).toBe(expected.replace(/(^|\|) +/g, "$1"));
      }
    }
  });

  it("uses the agent's own zone when time_zone is empty", () => {
    const ms = Date.UTC(2026, 6, 14, 9, 30);
    const local = new Date(ms);
    expect(expand("%H:%M %d", ms, { zone: "" })).toBe(`${String(local.getHours()).padStart(2, "0")}:30 ${String(local.getDate()).padStart(2, "0")}`);
  });

  it("keeps literal text, joins several escapes and repeats them", () => {
    expect(expand("/data/%{dept}/%Y-%m-%d/%H%M/%[localhost]-%{dept}.log", FLUME_EXAMPLE, {}, { dept: "ops" })).toBe("/data/ops/2012-06-12/1154/web-1-ops.log");
    expect(expand("plain/path.log", FLUME_EXAMPLE)).toBe("plain/path.log");
    expect(expand("100%% done-%-x-50%", FLUME_EXAMPLE)).toBe("100% done-%-x-50%");
  });
});

describe("path templates: rounding", () => {
  it("rounds the time down as the Flume user guide's example does (10 minutes)", () => {
    expect(expand("/flume/events/%Y-%m-%d/%H%M/%S", FLUME_EXAMPLE, { round: 600_000 })).toBe("/flume/events/2012-06-12/1150/00");
  });

  it.each<[string, number, string]>([
    ["15 seconds", 15_000, "11:54:30"],
    ["1 second", 1_000, "11:54:34"],
    ["1 minute", 60_000, "11:54:00"],
    ["7 minutes (counted from the hour, as Flume does)", 7 * 60_000, "11:49:00"],
    ["1 hour", 3_600_000, "11:00:00"],
    ["5 hours (counted from midnight)", 5 * 3_600_000, "10:00:00"],
    ["24 hours", 24 * 3_600_000, "00:00:00"],
  ])("by %s", (_name, round, expected) => {
    expect(expand("%H:%M:%S", FLUME_EXAMPLE, { round })).toBe(expected);
  });

  it("rounds %s but never %t", () => {
    expect(expand("%s %t", FLUME_EXAMPLE, { round: 600_000 })).toBe(`${Date.UTC(2012, 5, 12, 11, 50) / 1000} ${FLUME_EXAMPLE}`);
  });

  it("rounds in the configured zone: an hour in +05:30 starts at :00 local time", () => {
    // 11:54:34 UTC is 17:24:34 in Kolkata.
    expect(expand("%H%M %z %s", FLUME_EXAMPLE, { zone: "Asia/Kolkata", round: 3_600_000 })).toBe(`1700 +0530 ${Date.UTC(2012, 5, 12, 11, 30) / 1000}`);
  });

  it("accepts whole seconds up to 60s, minutes up to 60m and hours up to 24h, and refuses the rest", () => {
    expect(roundingOf(0)).toBeUndefined();
    expect(roundingOf(60_000)).toEqual({ unit: "minute", value: 1 });
    expect(roundingOf(3_600_000)).toEqual({ unit: "hour", value: 1 });
    expect(roundingOf(30_000)).toEqual({ unit: "second", value: 30 });
    for (const bad of [1_500, 90_000, 61 * 60_000, 90 * 60_000, 25 * 3_600_000]) expect(() => roundingOf(bad), String(bad)).toThrow(RangeError);
  });
});

describe("path templates: time and headers", () => {
  it("uses the agent's clock (and counts it) when the timestamp header is missing or not a number", () => {
    const compiled = template("%Y-%m-%d %H:%M");
    const now = Date.UTC(2030, 0, 2, 3, 4);
    const ctx = context(now);
    expect(compiled.resolve(event("x"), ctx)).toBe("2030-01-02 03:04");
    expect(compiled.resolve(event("x", { timestamp: "yesterday" }), ctx)).toBe("2030-01-02 03:04");
    expect(compiled.resolve(event("x", { timestamp: "" }), ctx)).toBe("2030-01-02 03:04");
    expect(compiled.resolve(event("x", { timestamp: "1.5" }), ctx)).toBe("2030-01-02 03:04");
    expect(compiled.resolve(event("x", { timestamp: String(FLUME_EXAMPLE) }), ctx)).toBe("2012-06-12 11:54");
    expect(ctx.timestampFallbacks).toBe(4);
  });

  it("reads the time from another header, or always from the clock with use_local_time", () => {
    const now = Date.UTC(2030, 0, 2, 3, 4);
    expect(template("%H%M", { header: "ts" }).resolve(event("x", { ts: String(FLUME_EXAMPLE), timestamp: "0" }), context(now))).toBe("1154");
    const ctx = context(now);
    expect(template("%H%M", { local: true }).resolve(event("x", { timestamp: String(FLUME_EXAMPLE) }), ctx)).toBe("0304");
    expect(ctx.timestampFallbacks).toBe(0);
  });

  it("writes a missing header as an empty string, as Flume does", () => {
    expect(expand("logs/%{dept}-x.log", FLUME_EXAMPLE)).toBe("logs/-x.log");
    // …except that a file name left empty would name the directory.
    expect(expand("logs/%{dept}", FLUME_EXAMPLE)).toBe("logs/_");
    expect(expand("logs/%{dept}", FLUME_EXAMPLE, {}, { dept: "ops" })).toBe("logs/ops");
  });

  it("keeps a header from leaving the sink's directory or naming a directory", () => {
    expect(expand("logs/%{h}/x", FLUME_EXAMPLE, {}, { h: "../../etc" })).toBe("logs/.._.._etc/x");
    expect(expand("logs/%{h}/x", FLUME_EXAMPLE, {}, { h: ".." })).toBe("logs/__/x");
    expect(expand("logs/%{h}/x", FLUME_EXAMPLE, {}, { h: "." })).toBe("logs/_/x");
    expect(expand("logs/%{h}/x", FLUME_EXAMPLE, {}, { h: "a\0b/c" })).toBe("logs/a_b_c/x");
    expect(pathSafe("y".repeat(500))).toBe("y".repeat(MAX_HEADER_VALUE_LENGTH));
    expect(pathSafe(undefined)).toBe("");
  });

  it("gives each event its own path when the header or the second changes (the caches are keyed correctly)", () => {
    const compiled = template("%{host}/%H%M%S");
    const ctx = context();
    const at = (host: string, ms: number): string => compiled.resolve(event("x", { host, timestamp: String(ms) }), ctx);
    expect(at("a", FLUME_EXAMPLE)).toBe("a/115434");
    expect(at("b", FLUME_EXAMPLE)).toBe("b/115434");
    expect(at("a", FLUME_EXAMPLE + 1_000)).toBe("a/115435");
    expect(at("a", FLUME_EXAMPLE)).toBe("a/115434");
    const timeOnly = template("%H%M%S-%t");
    expect(timeOnly.resolve(event("x", { timestamp: "1000" }), ctx)).toBe("000001-1000");
    expect(timeOnly.resolve(event("x", { timestamp: "1001" }), ctx)).toBe("000001-1001");
    const twoHeaders = template("%{a}-%{b}");
    expect(twoHeaders.resolve(event("x", { a: "1", b: "2" }), ctx)).toBe("1-2");
    expect(twoHeaders.resolve(event("x", { a: "1", b: "3" }), ctx)).toBe("1-3");
  });
});

describe("path templates: parsing", () => {
  it.each<[string, RegExp]>([
    ["logs/%q.log", /^unknown escape `%q` \(write `%%` for a literal `%`\)$/],
    ["logs/%1", /^unknown escape `%1`/],
    ["logs/%{a b}", /^`%\{a b\}` is not a header escape: `%\{name\}`/],
    ["logs/%{dept", /^`%\{` is not a header escape/],
    ["logs/%{}", /^`%\{\}` is not a header escape/],
    ["logs/%[host]", /^`%\[host\]` is not a host escape: `%\[localhost\]`, `%\[IP\]` or `%\[FQDN\]`$/],
  ])("refuses %s", (text, message) => {
    expect(() => parseTemplate(text)).toThrow(TemplateError);
    expect(() => parseTemplate(text)).toThrow(message);
  });

  it("tells a fixed path from a template, and finds the fixed directory every expansion lies under", () => {
    expect(isFixed(parseTemplate("out/events.log"))).toBe(true);
    expect(isFixed(parseTemplate("out/100%%.log"))).toBe(true);
    expect(isFixed(parseTemplate("out/%Y.log"))).toBe(false);
    expect(fixedDirectoryOf(parseTemplate("out/events.log"))).toBe("out");
    expect(fixedDirectoryOf(parseTemplate("/var/log/flow/%Y/%m/app-%{host}.log"))).toBe("/var/log/flow");
    expect(fixedDirectoryOf(parseTemplate("logs/app-%Y.log"))).toBe("logs");
    expect(fixedDirectoryOf(parseTemplate("%{host}.log"))).toBe(".");
    expect(fixedDirectoryOf(parseTemplate("/%Y.log"))).toBe("/");
  });

  it("refuses an unknown time zone", () => {
    expect(() => new ZonedClock("Mars/Olympus_Mons")).toThrow(RangeError);
  });
});
