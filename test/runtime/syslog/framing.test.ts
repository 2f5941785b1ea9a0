import { describe, expect, it } from "vitest";
import { FrameFlag, StreamFramer, datagramMessage, type FrameSink, type Framing } from "../../../runtime/sources/syslog/framing";
import { createPrng } from "../../helpers/prng";

interface Frame {
  readonly text: string;
  readonly flags: number;
}

/** Collects frames as text (latin1, so every byte shows) with their flags. */
class Collector implements FrameSink {
  readonly frames: Frame[] = [];
  onFrame(frame: Buffer, flags: number): void {
    this.frames.push({ text: frame.toString("latin1"), flags });
  }
}

/** Frames `chunks` pushed one by one, then the end of the stream. */
function frame(framing: Framing, chunks: readonly (string | Buffer)[], max = 1_000, end = true): { frames: Frame[]; framer: StreamFramer } {
  const framer = new StreamFramer(framing, max);
  const sink = new Collector();
  for (const chunk of chunks) framer.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk, sink);
  if (end) framer.end(sink);
  return { frames: sink.frames, framer };
}

const texts = (frames: readonly Frame[]): string[] => frames.map((f) => f.text);
const whole = (text: string): Frame => ({ text, flags: 0 });

/** RFC 6587 octet counting: `LENGTH SP MESSAGE`. */
const octet = (message: string): string => `${Buffer.byteLength(message, "latin1")} ${message}`;

// Real `logger` (util-linux 2.38.1) output, captured on the wire.
const LOGGER_5424_TCP = '<13>1 2026-11-21T23:26:38.780743+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"] hello 5424 tcp\n';
const LOGGER_3164_TCP = "<13>Nov 21 23:26:38 vm myapp[31286]: hello 3164 tcp\n";
const LOGGER_5424_OCTET = '101 <156>1 2026-11-21T23:26:38.783199+00:00 vm root - - [timeQuality tzKnown="1" isSynced="0"] octet 5424';
const LOGGER_3164_OCTET = "39 <13>Nov 21 23:26:38 vm root: octet 3164";

describe("newline framing", () => {
  it("splits real logger --tcp output at newlines, without the newline", () => {
    const { frames } = frame("newline", [LOGGER_5424_TCP + LOGGER_3164_TCP]);
    expect(frames).toEqual([whole(LOGGER_5424_TCP.slice(0, -1)), whole(LOGGER_3164_TCP.slice(0, -1))]);
  });

  it("drops a CR before the newline, also when the CR ends one chunk and the LF starts the next", () => {
    expect(texts(frame("newline", ["<1>a\r\n<1>b\r", "\n<1>c\r\n"]).frames)).toEqual(["<1>a", "<1>b", "<1>c"]);
  });

  it("skips empty lines", () => {
    expect(texts(frame("newline", ["\n\n<1>a\n\r\n\n<1>b\n"]).frames)).toEqual(["<1>a", "<1>b"]);
  });

  it("reassembles a message that spans chunks, byte by byte", () => {
    const stream = LOGGER_5424_TCP + LOGGER_3164_TCP;
    const chunks = [...stream].map((c) => c);
    expect(frame("newline", chunks).frames).toEqual([whole(LOGGER_5424_TCP.slice(0, -1)), whole(LOGGER_3164_TCP.slice(0, -1))]);
  });

  it("hands over an unterminated last message when the stream ends", () => {
    expect(frame("newline", ["<1>a\n<1>no newline"]).frames).toEqual([whole("<1>a"), whole("<1>no newline")]);
  });

  it("keeps NUL bytes and bytes that are not UTF-8 as they are", () => {
    const bytes = Buffer.from([0x3c, 0x31, 0x3e, 0x00, 0xff, 0xfe, 0x41, 0x0a]);
    expect(frame("newline", [bytes]).frames).toEqual([{ text: Buffer.from([0x3c, 0x31, 0x3e, 0x00, 0xff, 0xfe, 0x41]).toString("latin1"), flags: 0 }]);
  });

  it("cuts a line longer than the maximum as soon as it is reached, discards the rest up to the newline, and goes on", () => {
    const { frames, framer } = frame("newline", ["<1>", "x".repeat(30), "y".repeat(10_000)], 16, false);
    expect(frames).toEqual([{ text: `<1>${"x".repeat(13)}`, flags: FrameFlag.truncated }]);
    expect(framer.pendingBytes).toBe(0); // nothing of the over-long line is held
    const sink = new Collector();
    framer.push(Buffer.from("zzz\n<1>next\n"), sink);
    framer.end(sink);
    expect(sink.frames).toEqual([whole("<1>next")]);
  });

  it("cuts a line that arrives whole but is too long", () => {
    expect(frame("newline", [`${"a".repeat(20)}\n<1>b\n`], 8).frames).toEqual([{ text: "a".repeat(8), flags: FrameFlag.truncated }, whole("<1>b")]);
  });

  it("keeps a line of exactly the maximum whole", () => {
    expect(frame("newline", ["a".repeat(8), "\nb\n"], 8).frames).toEqual([whole("a".repeat(8)), whole("b")]);
  });

  it("reads octet-counted-looking text as lines when told newline framing", () => {
    expect(texts(frame("newline", ["5 <1>ab\n"]).frames)).toEqual(["5 <1>ab"]);
  });
});

describe("octet-counting framing", () => {
  it("reads real logger --octet-count output, back to back in one chunk", () => {
    const { frames } = frame("octet_counting", [LOGGER_5424_OCTET + LOGGER_3164_OCTET]);
    expect(frames).toEqual([whole(LOGGER_5424_OCTET.slice(4)), whole(LOGGER_3164_OCTET.slice(3))]);
  });

  it("reads frames whose header and message are split across chunks anywhere", () => {
    const stream = LOGGER_5424_OCTET + LOGGER_3164_OCTET + octet("<1>last");
    for (let cut = 1; cut < stream.length; cut++) {
      expect(texts(frame("octet_counting", [stream.slice(0, cut), stream.slice(cut)]).frames), `cut at ${cut}`).toEqual([
        LOGGER_5424_OCTET.slice(4),
        LOGGER_3164_OCTET.slice(3),
        "<1>last",
      ]);
    }
  });

  it("keeps newlines inside a message (the point of octet counting) but not a trailing one", () => {
    expect(texts(frame("octet_counting", [octet("<1>two\nlines") + octet("<1>ends with newline\n")]).frames)).toEqual([
      "<1>two\nlines",
      "<1>ends with newline",
    ]);
  });

  it("skips newlines that some senders put between frames, and empty frames", () => {
    expect(texts(frame("octet_counting", [`${octet("<1>a")}\n\r\n0 ${octet("<1>b")}\n`]).frames)).toEqual(["<1>a", "<1>b"]);
  });

  it("cuts a message longer than the maximum, discards the rest as it arrives, and reads the next frame", () => {
    const long = `<1>${"x".repeat(100)}`;
    const stream = octet(long) + octet("<1>next");
    const { frames } = frame("octet_counting", [stream.slice(0, 30), stream.slice(30, 70), stream.slice(70)], 20);
    expect(frames).toEqual([{ text: long.slice(0, 20), flags: FrameFlag.truncated }, whole("<1>next")]);
  });

  it("does not wait for or hold a hostile octet count: the first bytes go out at once, the rest is discarded", () => {
    const { frames, framer } = frame("octet_counting", ["9999999999 <1>", "y".repeat(70_000)], 64, false);
    expect(frames).toEqual([{ text: `<1>${"y".repeat(61)}`, flags: FrameFlag.truncated }]);
    expect(framer.pendingBytes).toBe(0);
  });

  it("reads a frame without a valid length up to the next newline, flagged unframed, then octet frames again", () => {
    const { frames } = frame("octet_counting", [`<1>not counted\n${octet("<1>counted")}12345678901 x\n${octet("<1>z")}`]);
    expect(frames).toEqual([
      { text: "<1>not counted", flags: FrameFlag.unframed },
      whole("<1>counted"),
      { text: "12345678901 x", flags: FrameFlag.unframed },
      whole("<1>z"),
    ]);
  });

  it("keeps the digits read before a bad header in the unframed message", () => {
    expect(frame("octet_counting", ["12", "3abc\n"]).frames).toEqual([{ text: "123abc", flags: FrameFlag.unframed }]);
  });

  it("flags a message cut off by the end of the stream, and hands over digits without a message", () => {
    expect(frame("octet_counting", ["50 <1>only part"]).frames).toEqual([{ text: "<1>only part", flags: FrameFlag.cutOff }]);
    expect(frame("octet_counting", [`${octet("<1>a")}42`]).frames).toEqual([whole("<1>a"), { text: "42", flags: FrameFlag.unframed | FrameFlag.cutOff }]);
    expect(frame("octet_counting", [`${octet("<1>a")}7 `]).frames).toEqual([whole("<1>a")]);
  });

  it("cuts an over-long unframed line and skips the rest of it", () => {
    expect(frame("octet_counting", [`${"z".repeat(50)}\n${octet("<1>a")}`], 10).frames).toEqual([
      { text: "z".repeat(10), flags: FrameFlag.unframed | FrameFlag.truncated },
      whole("<1>a"),
    ]);
  });
});

describe("auto-detected framing", () => {
  it("detects octet counting from digits, one space and `<`", () => {
    const { frames, framer } = frame("auto", [LOGGER_5424_OCTET + LOGGER_3164_OCTET]);
    expect(framer.framing).toBe("octet_counting");
    expect(texts(frames)).toEqual([LOGGER_5424_OCTET.slice(4), LOGGER_3164_OCTET.slice(3)]);
  });

  it("detects newline framing from a message starting with `<`", () => {
    const { frames, framer } = frame("auto", [LOGGER_5424_TCP]);
    expect(framer.framing).toBe("newline");
    expect(texts(frames)).toEqual([LOGGER_5424_TCP.slice(0, -1)]);
  });

  it("does not take a line starting with a digit for an octet count", () => {
    for (const stream of ["2026 was a good year\n<1>b\n", "12 apples\n", "12  <1>two spaces\n", "1234567890123 <1>x\n", "7\n<1>b\n", "0x10 <1>\n"]) {
      const { frames, framer } = frame("auto", [stream]);
      expect(framer.framing, stream).toBe("newline");
      expect(texts(frames), stream).toEqual(stream.split("\n").filter((line) => line !== ""));
    }
  });

  it("waits for enough bytes to decide, however the first ones are split", () => {
    const stream = octet("<1>a") + octet("<1>b");
    const { frames, framer } = frame("auto", [...stream]);
    expect(framer.framing).toBe("octet_counting");
    expect(texts(frames)).toEqual(["<1>a", "<1>b"]);
    expect(texts(frame("auto", ["1", "2", " ", "a\n"]).frames)).toEqual(["12 a"]);
  });

  it("keeps the framing a connection started with", () => {
    // Octet first: a later newline-framed message is not re-detected, it is read as an unframed line.
    const octetFirst = frame("auto", [`${octet("<1>a")}<1>b\n`]);
    expect(octetFirst.frames).toEqual([whole("<1>a"), { text: "<1>b", flags: FrameFlag.unframed }]);
    // Newline first: a later octet-counted message is a line like any other.
    const newlineFirst = frame("auto", ["<1>a\n", "5 <1>b\n"]);
    expect(texts(newlineFirst.frames)).toEqual(["<1>a", "5 <1>b"]);
  });

  it("hands over a few undecided bytes when the stream ends", () => {
    expect(texts(frame("auto", ["12"]).frames)).toEqual(["12"]);
    expect(texts(frame("auto", ["12 "]).frames)).toEqual(["12 "]);
  });

  it("frames any chunking of a mixed stream as it frames the whole stream (seeded)", () => {
    const random = createPrng(6587);
    for (let round = 0; round < 200; round++) {
      const framing = random.pick<Framing>(["auto", "newline", "octet_counting"]);
      const parts: string[] = [];
      const count = random.int(1, 12);
      for (let i = 0; i < count; i++) {
        const message = `<${random.int(0, 191)}>${"m".repeat(random.int(0, 40))}${random.chance(0.2) ? "\r" : ""}`;
        if (framing === "newline" || (framing === "auto" && parts.length === 0 && random.chance(0.5)) || (framing === "auto" && parts[0]?.startsWith("<"))) parts.push(`${message}\n`);
        else parts.push(random.chance(0.1) ? `${message}\n` : octet(message));
      }
      const stream = Buffer.from(parts.join(""), "latin1");
      const max = random.int(8, 60);
      const expected = frame(framing, [stream], max).frames;
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = random.int(1, 25);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      expect(frame(framing, chunks, max).frames, `round ${round}: ${JSON.stringify(parts)} max ${max}`).toEqual(expected);
    }
  });
});

describe("datagramMessage", () => {
  it("strips the octet count logger --udp --octet-count puts in front of a datagram", () => {
    const sent = '96 <13>1 2026-11-21T23:26:45.902539+00:00 vm root - - [timeQuality tzKnown="1" isSynced="0"] udp oc';
    expect(datagramMessage(Buffer.from(sent)).toString()).toBe(sent.slice(3));
  });

  it("strips a trailing newline, and nothing from a plain datagram", () => {
    expect(datagramMessage(Buffer.from("<13>Nov 21 23:26:38 vm myapp: hello\r\n")).toString()).toBe("<13>Nov 21 23:26:38 vm myapp: hello");
    expect(datagramMessage(Buffer.from("<13>Nov 21 23:26:38 vm myapp: hello")).toString()).toBe("<13>Nov 21 23:26:38 vm myapp: hello");
    expect(datagramMessage(Buffer.from("12 apples")).toString()).toBe("12 apples");
  });
});
