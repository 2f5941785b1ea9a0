import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { PROBLEMS, SyslogParser, structuredDataEnd } from "../../../runtime/sources/syslog/parser";
import { resolveTimeZone } from "../../../runtime/sources/syslog/timestamps";
import { createPrng } from "../../helpers/prng";

/** The parser as the source builds it, reading RFC 3164 times in UTC on 2026-11-21 (when the samples were captured). */
function parser(options: { keepFields?: boolean; timezone?: string; now?: string } = {}): SyslogParser {
  const zone = resolveTimeZone(options.timezone ?? "UTC");
  if (zone === undefined) throw new Error("zone");
  const now = Date.parse(options.now ?? "2026-11-21T23:30:00Z");
  return new SyslogParser({ keepFields: options.keepFields ?? false, zone, now: () => now });
}

function parse(message: string | Buffer, p = parser()): { headers: Record<string, string>; body: string; event: FlowEvent; problem: string | undefined } {
  const event = p.parse(typeof message === "string" ? Buffer.from(message, "utf8") : message);
  return { headers: event.headers, body: event.bodyText(), event, problem: p.problem };
}

const ms = (iso: string): string => String(Date.parse(iso));

describe("RFC 5424, as util-linux logger sends it", () => {
  it("logger --rfc5424 -t myapp", () => {
    const { headers, body, problem } = parse('<13>1 2026-11-21T23:26:38.780743+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"] hello 5424 tcp');
    expect(problem).toBeUndefined();
    expect(headers).toEqual({
      Facility: "1",
      Severity: "5",
      timestamp: ms("2026-11-21T23:26:38.780Z"),
      host: "vm",
      app: "myapp",
      structured_data: '[timeQuality tzKnown="1" isSynced="0"]',
      version: "1",
    });
    expect(body).toBe("hello 5424 tcp");
  });

  it("logger --msgid MID1 --sd-id ex@32473 --sd-param with escaped quotes and bracket", () => {
    const { headers, body } = parse(
      '<13>1 2026-11-21T23:26:45.882863+00:00 vm myapp - MID1 [timeQuality tzKnown="1" isSynced="0"][ex@32473 k="v" x="y \\"q\\" \\]"] hello 5424 udp',
    );
    expect(headers.msgid).toBe("MID1");
    expect(headers.structured_data).toBe('[timeQuality tzKnown="1" isSynced="0"][ex@32473 k="v" x="y \\"q\\" \\]"]');
    expect(body).toBe("hello 5424 udp");
  });

  it("logger --rfc5424=notq,notime,nohost: nil fields set no header", () => {
    const { headers, body } = parse("<13>1 - - root - - - minimal");
    expect(headers).toEqual({ Facility: "1", Severity: "5", app: "root", version: "1" });
    expect(body).toBe("minimal");
  });

  it("logger -p local3.warning, -p auth.crit with UTF-8 text, --id=4242", () => {
    expect(parse("<156>1 2026-11-21T23:26:38.783199+00:00 vm root - - - octet 5424").headers).toMatchObject({ Facility: "19", Severity: "4" });
    const utf8 = parse('<34>1 2026-11-21T23:26:45.894717+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"] héllo ünïcode');
    expect(utf8.headers).toMatchObject({ Facility: "4", Severity: "2" });
    expect(utf8.body).toBe("héllo ünïcode");
    expect(parse('<13>1 2026-11-21T23:26:45.906554+00:00 vm app 4242 - [timeQuality tzKnown="1" isSynced="0"] with pid').headers.procid).toBe("4242");
  });
});

describe("RFC 5424, the RFC's own examples", () => {
  it("example 1: no structured data, a BOM before the message", () => {
    const { headers, body } = parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{FEFF}'su root' failed for lonvick on /dev/pts/8");
    expect(headers).toEqual({
      Facility: "4",
      Severity: "2",
      timestamp: ms("2003-10-11T22:14:15.003Z"),
      host: "mymachine.example.com",
      app: "su",
      msgid: "ID47",
      version: "1",
    });
    expect(body).toBe("'su root' failed for lonvick on /dev/pts/8");
  });

  it("example 2: an IP address as host, a PROCID", () => {
    const { headers, body } = parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    expect(headers).toMatchObject({ Facility: "20", Severity: "5", timestamp: ms("2003-08-24T12:14:15.000Z"), host: "192.0.2.1", app: "myproc", procid: "8710" });
    expect(body).toBe("%% It's time to make the do-nuts.");
  });

  it("examples 3 and 4: structured data, with and without a message", () => {
    const sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]';
    expect(parse(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd} \u{FEFF}An application event log entry...`)).toMatchObject({
      headers: { structured_data: sd, app: "evntslog", msgid: "ID47" },
      body: "An application event log entry...",
    });
    const two = `${sd}[examplePriority@32473 class="high"]`;
    expect(parse(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${two}`)).toMatchObject({ headers: { structured_data: two }, body: "" });
  });
});

describe("RFC 3164", () => {
  it("logger --rfc3164 -t myapp (UDP)", () => {
    const { headers, body, problem } = parse("<13>Nov 21 23:26:38 vm myapp: hello 3164 udp");
    expect(problem).toBeUndefined();
    expect(headers).toEqual({ Facility: "1", Severity: "5", timestamp: ms("2026-11-21T23:26:38Z"), host: "vm", app: "myapp" });
    expect(body).toBe("hello 3164 udp");
  });

  it("logger --rfc3164 -i: the PID in brackets", () => {
    expect(parse("<13>Nov 21 23:26:38 vm myapp[31286]: hello 3164 tcp")).toMatchObject({
      headers: { host: "vm", app: "myapp", procid: "31286" },
      body: "hello 3164 tcp",
    });
  });

  it("the RFC's examples: a tag, and content without one", () => {
    expect(parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")).toMatchObject({
      headers: { Facility: "4", Severity: "2", timestamp: ms("2026-10-11T22:14:15Z"), host: "mymachine", app: "su" },
      body: "'su root' failed for lonvick on /dev/pts/8",
    });
    const noTag = parse("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!");
    expect(noTag.headers).toEqual({ Facility: "1", Severity: "5", timestamp: ms("2026-02-05T17:32:18Z"), host: "10.0.0.99" });
    expect(noTag.body).toBe("Use the BFG!");
  });

  it("no host: a tag right after the timestamp (a local logger)", () => {
    const { headers, body } = parse("<13>Nov 21 23:26:38 myapp[12]: no host here");
    expect(headers).toEqual({ Facility: "1", Severity: "5", timestamp: ms("2026-11-21T23:26:38Z"), app: "myapp", procid: "12" });
    expect(body).toBe("no host here");
    expect(parse("<13>Nov 21 23:26:38 cron: job done").headers).toMatchObject({ app: "cron" });
    expect(parse("<13>Nov 21 23:26:38 cron: job done").headers.host).toBeUndefined();
  });

  it("no timestamp: the rest is content (a tag is still recognised)", () => {
    expect(parse("<13>hello world")).toMatchObject({ headers: { Facility: "1", Severity: "5" }, body: "hello world" });
    expect(parse("<13>sshd[99]: accepted")).toMatchObject({ headers: { app: "sshd", procid: "99" }, body: "accepted" });
    expect(parse("<13>")).toMatchObject({ headers: { Facility: "1", Severity: "5" }, body: "" });
    expect(parse("<13>123 not a version").body).toBe("123 not a version");
  });

  it("rsyslog's high-precision format and Cisco's year", () => {
    expect(parse("<13>2026-11-21T23:26:38.780743+01:00 vm app: precise")).toMatchObject({
      headers: { timestamp: ms("2026-11-21T22:26:38.780Z"), host: "vm", app: "app" },
      body: "precise",
    });
    expect(parse("<189>Nov 21 2025 23:26:38 router %LINK-3-UPDOWN: Interface Gi0/1, changed state to up")).toMatchObject({
      headers: { Facility: "23", Severity: "5", timestamp: ms("2025-11-21T23:26:38Z"), host: "router", app: "%LINK-3-UPDOWN" },
      body: "Interface Gi0/1, changed state to up",
    });
  });

  it("reads the time in the configured zone and infers the year from now", () => {
    const paris = parser({ timezone: "Europe/Paris", now: "2027-01-02T08:00:00Z" });
    expect(parse("<13>Dec 31 23:59:59 vm app: last year", paris).headers.timestamp).toBe(ms("2026-12-31T22:59:59Z"));
  });

  it("a colon inside the content is not a tag when a space comes first", () => {
    expect(parse("<13>Nov 21 23:26:38 vm GET /x HTTP/1.1: done")).toMatchObject({ headers: { host: "vm" }, body: "GET /x HTTP/1.1: done" });
    expect(parse("<13>Nov 21 23:26:38 vm app:no-space").body).toBe("app:no-space");
    expect(parse("<13>Nov 21 23:26:38 vm app[12 x]: y").body).toBe("app[12 x]: y");
  });
});

describe("keep_fields", () => {
  it("keeps the whole message as the body and still sets the headers", () => {
    const keep = parser({ keepFields: true });
    const rfc5424 = '<13>1 2026-11-21T23:26:38.780743+00:00 vm myapp - - [timeQuality tzKnown="1"] hello';
    expect(parse(rfc5424, keep)).toMatchObject({ headers: { host: "vm", app: "myapp" }, body: rfc5424 });
    expect(parse("<13>Nov 21 23:26:38 vm myapp[1]: hello", keep)).toMatchObject({ headers: { procid: "1" }, body: "<13>Nov 21 23:26:38 vm myapp[1]: hello" });
  });
});

describe("messages that are not valid syslog", () => {
  it.each([
    ["no PRI", "just some text", PROBLEMS.noPri],
    ["an empty message", "", PROBLEMS.noPri],
    ["a PRI over 191", "<192>1 - - - - - - x", PROBLEMS.badPri],
    ["a PRI of four digits", "<0013>x", PROBLEMS.badPri],
    ["an empty PRI", "<>x", PROBLEMS.badPri],
    ["an unclosed PRI", "<13 x", PROBLEMS.badPri],
    ["a PRI with a sign", "<-1>x", PROBLEMS.badPri],
    ["a bad RFC 5424 timestamp", "<13>1 yesterday vm app - - - x", PROBLEMS.badTimestamp],
    ["an impossible RFC 5424 date", "<13>1 2026-02-30T00:00:00Z vm app - - - x", PROBLEMS.badTimestamp],
    ["missing RFC 5424 fields", "<13>1 2026-11-21T23:26:38Z vm app", PROBLEMS.badHeaderField],
    ["two spaces between RFC 5424 fields", "<13>1 2026-11-21T23:26:38Z  vm app - - - x", PROBLEMS.badHeaderField],
    ["a non-ASCII host", "<13>1 - hôst app - - - x", PROBLEMS.badHeaderField],
    ["a NUL in the header", "<13>1 - ho\u0000st app - - - x", PROBLEMS.badHeaderField],
    ["unclosed structured data", '<13>1 - vm app - - [id k="v" x', PROBLEMS.badStructuredData],
    ["a structured data value without quotes", "<13>1 - vm app - - [id k=v] x", PROBLEMS.badStructuredData],
    ["structured data without an SD-ID", '<13>1 - vm app - - [ k="v"] x', PROBLEMS.badStructuredData],
    ["structured data not followed by a space", "<13>1 - vm app - - [id]x", PROBLEMS.noSpaceAfterStructuredData],
    ["NILVALUE structured data not followed by a space", "<13>1 - vm app - - -x", PROBLEMS.noSpaceAfterStructuredData],
  ])("%s: kept whole, marked Invalid", (_what, message, problem) => {
    const { headers, event, problem: found } = parse(message);
    expect(found).toBe(problem);
    expect(headers["flume.syslog.status"]).toBe("Invalid");
    expect(event.body.equals(Buffer.from(message, "utf8"))).toBe(true);
  });

  it("keeps the facility and severity of a broken RFC 5424 message whose PRI is valid", () => {
    expect(parse("<11>1 junk").headers).toEqual({ Facility: "1", Severity: "3", "flume.syslog.status": "Invalid" });
  });

  it("keeps bytes that are not UTF-8, and NUL bytes, in the message exactly", () => {
    const message = Buffer.concat([Buffer.from("<13>1 - vm app - - - "), Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x41])]);
    const { event, problem } = parse(message);
    expect(problem).toBeUndefined();
    expect(event.body.equals(Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x41]))).toBe(true);
  });

  it("never throws, and keeps any message it cannot read whole (seeded random bytes and mutations)", () => {
    const random = createPrng(5424);
    const seeds = [
      '<13>1 2026-11-21T23:26:38.780743+00:00 vm myapp 12 ID [a@1 k="v\\"]"][b x=""] hi',
      "<13>Nov 21 23:26:38 vm myapp[31286]: hello",
      "<13>2026-11-21T23:26:38Z vm app: x",
    ];
    const p = parser();
    for (let round = 0; round < 3_000; round++) {
      let bytes: Buffer;
      if (random.chance(0.3)) {
        bytes = Buffer.from(Array.from({ length: random.int(0, 60) }, () => random.int(0, 255)));
      } else {
        bytes = Buffer.from(random.pick(seeds));
        for (let edits = random.int(1, 4); edits > 0; edits--) {
          const at = random.int(0, bytes.length - 1);
          bytes = random.chance(0.5)
            ? Buffer.concat([bytes.subarray(0, at), Buffer.from([random.pick([0x20, 0x5b, 0x5d, 0x22, 0x5c, 0x3c, 0x3e, 0x2d, 0x3a, 0x00, 0x31, 0xff])]), bytes.subarray(at)])
            : Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        }
      }
      const event = p.parse(bytes);
      for (const value of Object.values(event.headers)) expect(typeof value).toBe("string");
      if (event.headers["flume.syslog.status"] === "Invalid") expect(event.body.equals(bytes), `round ${round}`).toBe(true);
      else expect(bytes.includes(event.body), `round ${round}: the body is part of the message`).toBe(true);
      const ts = event.headers.timestamp;
      if (ts !== undefined) expect(ts).toMatch(/^-?\d+$/);
    }
  });
});

describe("structuredDataEnd", () => {
  it("finds the end of one or more elements, escapes included", () => {
    const text = '[a@1 k="v \\] \\" \\\\"][b] rest';
    expect(structuredDataEnd(Buffer.from(text), 0)).toBe(text.indexOf(" rest"));
  });

  it("refuses what is not structured data", () => {
    for (const text of ["", "a", "[", "[]", "[a k]", '[a k="v"', '[a k="v\\"]', '[a k="v"x]', '[a ="v"]']) {
      expect(structuredDataEnd(Buffer.from(text), 0), text).toBe(-1);
    }
  });
});
