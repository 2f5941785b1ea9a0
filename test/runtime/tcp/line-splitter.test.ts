import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { LineSplitter, type LineSplitterOptions } from "../../../runtime/sources/tcp/line-splitter";
import { bodies } from "../../helpers/events";
import { createPrng } from "../../helpers/prng";

const NL = 0x0a;

type Counter = { LineTruncatedCount: number; LineDiscardedCount: number };

/** A splitter with a fresh counter. */
function splitter(maxLineLength = 1024, options: LineSplitterOptions = {}): { split: LineSplitter; counter: Counter } {
  const counter = { LineTruncatedCount: 0, LineDiscardedCount: 0 };
  return { split: new LineSplitter(maxLineLength, counter, options), counter };
}

/** Feeds `chunks` one by one, returning the events each push produced. */
function feed(split: LineSplitter, chunks: readonly (string | Buffer)[], ends?: number[]): FlowEvent[][] {
  return chunks.map((chunk) => {
    const out: FlowEvent[] = [];
    split.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk, out, ends);
    return out;
  });
}

function flush(split: LineSplitter, ends?: number[]): FlowEvent[] {
  const out: FlowEvent[] = [];
  split.flush(out, ends);
  return out;
}

describe("LineSplitter", () => {
  it("splits one chunk into its lines, with empty headers", () => {
    const { split } = splitter();
    const [events] = feed(split, ["alpha\nbeta\ngamma\n"]);
    expect(bodies(events ?? [])).toEqual(["alpha", "beta", "gamma"]);
    for (const e of events ?? []) expect(e.headers).toEqual({});
    expect(split.pendingBytes).toBe(0);
    expect(flush(split)).toEqual([]);
  });

  it("emits empty lines as empty bodies", () => {
    const { split } = splitter();
    const [events] = feed(split, ["\n\na\n\n"]);
    expect(bodies(events ?? [])).toEqual(["", "", "a", ""]);
  });

  it("joins a line split across two chunks and emits it when its newline arrives", () => {
    const { split } = splitter();
    const [first, second] = feed(split, ["one\ntw", "o\nthree\n"]);
    expect(bodies(first ?? [])).toEqual(["one"]);
    expect(split.pendingBytes).toBe(0);
    expect(bodies(second ?? [])).toEqual(["two", "three"]);
  });

  it("holds back the unfinished part and reports it in pendingBytes", () => {
    const { split } = splitter();
    const [first] = feed(split, ["done\npart"]);
    expect(bodies(first ?? [])).toEqual(["done"]);
    expect(split.pendingBytes).toBe(4);
  });

  it("handles a chunk boundary right before the newline", () => {
    const { split } = splitter();
    const [first, second] = feed(split, ["abc", "\ndef\n"]);
    expect(first).toEqual([]);
    expect(bodies(second ?? [])).toEqual(["abc", "def"]);
  });

  it("handles a chunk boundary right after the newline", () => {
    const { split } = splitter();
    const [first, second] = feed(split, ["abc\n", "def\n"]);
    expect(bodies(first ?? [])).toEqual(["abc"]);
    expect(split.pendingBytes).toBe(0);
    expect(bodies(second ?? [])).toEqual(["def"]);
  });

  it("handles a chunk that is just a newline", () => {
    const { split } = splitter();
    const results = feed(split, ["abc", "\n", "\n"]);
    expect(results.map(bodies)).toEqual([[], ["abc"], [""]]);
  });

  it("joins a line spanning three and more chunks", () => {
    const { split } = splitter();
    const results = feed(split, ["x\nbe", "gin", "-mid", "dle-", "end\ny\n"]);
    expect(results.map(bodies)).toEqual([["x"], [], [], [], ["begin-middle-end", "y"]]);
  });

  it("keeps a carried piece intact when the caller reuses the chunk's memory", () => {
    const { split } = splitter();
    const chunk = Buffer.from("head\ntail", "utf8");
    const first: FlowEvent[] = [];
    split.push(chunk, first);
    const headCopy = Buffer.from((first[0] as FlowEvent).body);
    chunk.fill(0x21); // the socket layer would never do this, but the carried bytes must not depend on it
    const rest: FlowEvent[] = [];
    split.push(Buffer.from("-end\n"), rest);
    expect(headCopy.toString()).toBe("head");
    expect(bodies(rest)).toEqual(["tail-end"]);
  });

  describe("flush", () => {
    it("emits a final line that had no newline", () => {
      const { split } = splitter();
      feed(split, ["a\nlast", "-bit"]);
      expect(bodies(flush(split))).toEqual(["last-bit"]);
      expect(split.pendingBytes).toBe(0);
      expect(flush(split)).toEqual([]);
    });

    it("emits nothing when the stream ended with a newline or was empty", () => {
      const ended = splitter().split;
      feed(ended, ["a\nb\n"]);
      expect(flush(ended)).toEqual([]);
      expect(flush(splitter().split)).toEqual([]);
    });
  });

  describe("bodies are byte-exact", () => {
    it("keeps non-ASCII and binary bytes, also across chunks", () => {
      const { split } = splitter();
      const line1 = Buffer.from("héllo wörld – 日本語 🚀", "utf8");
      const line2 = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x80, 0xc3]); // NUL, invalid UTF-8, a CR kept as is
      const stream = Buffer.concat([line1, Buffer.from([NL]), line2, Buffer.from([NL])]);
      // Cut inside the multi-byte characters and inside the binary line.
      const cuts = [3, 9, 20, line1.length + 3];
      const chunks: Buffer[] = [];
      let at = 0;
      for (const cut of cuts) {
        chunks.push(stream.subarray(at, cut));
        at = cut;
      }
      chunks.push(stream.subarray(at));
      const out = feed(split, chunks).flat();
      expect(out).toHaveLength(2);
      expect(Buffer.compare((out[0] as FlowEvent).body, line1)).toBe(0);
      expect(Buffer.compare((out[1] as FlowEvent).body, line2)).toBe(0);
    });
  });

  describe("over-long lines, truncate (the default)", () => {
    it("cuts a long line within one chunk to its first max bytes and keeps the next line intact", () => {
      const { split, counter } = splitter(5);
      const [events] = feed(split, ["0123456789\nok\n"]);
      expect(bodies(events ?? [])).toEqual(["01234", "ok"]);
      expect(counter.LineTruncatedCount).toBe(1);
      expect(split.longLines).toBe(1);
    });

    it("does not cut a line of exactly max bytes, in one chunk or across chunks", () => {
      const { split, counter } = splitter(5);
      const results = feed(split, ["abcde\nfg", "hij", "\n"]);
      expect(results.map(bodies)).toEqual([["abcde"], [], ["fghij"]]);
      expect(counter.LineTruncatedCount).toBe(0);
    });

    it("cuts a line whose parts only exceed max together, when its newline arrives", () => {
      const { split, counter } = splitter(5);
      const results = feed(split, ["abc", "defgh\nnext\n"]);
      expect(results.map(bodies)).toEqual([[], ["abcde", "next"]]);
      expect(counter.LineTruncatedCount).toBe(1);
    });

    it("emits the cut line when its newline arrives, having discarded the rest", () => {
      const { split, counter } = splitter(5);
      const results = feed(split, ["abc", "defg", "hijklmn", "opq", "rs\nnext\n"]);
      expect(results.map(bodies)).toEqual([[], [], [], [], ["abcde", "next"]]);
      expect(counter.LineTruncatedCount).toBe(1);
      expect(split.pendingBytes).toBe(0);
    });

    it("never holds more than max bytes of a line that has no newline, and emits its head once at the end", () => {
      const { split, counter } = splitter(8);
      for (let i = 0; i < 100; i++) {
        feed(split, ["xxxxxxx"]);
        expect(split.pendingBytes).toBeLessThanOrEqual(8);
      }
      expect(counter.LineTruncatedCount).toBe(0); // counted when the line ends
      expect(bodies(flush(split))).toEqual(["xxxxxxxx"]);
      expect(counter.LineTruncatedCount).toBe(1);
      expect(flush(split)).toEqual([]);
    });

    it("cuts a single over-long chunk without newline, then skips up to the newline in a later chunk", () => {
      const { split, counter } = splitter(4);
      const results = feed(split, ["ABCDEFGHIJ", "KLM\nnext\n"]);
      expect(results.map(bodies)).toEqual([[], ["ABCD", "next"]]);
      expect(counter.LineTruncatedCount).toBe(1);
    });

    it("cuts by bytes, not characters", () => {
      const { split } = splitter(4);
      const line = Buffer.from("ééé\n", "utf8"); // 6 bytes of text
      const [events] = feed(split, [line]);
      expect(Buffer.compare((events?.[0] as FlowEvent).body, line.subarray(0, 4))).toBe(0);
    });

    it("counts every cut line, across lines and chunk patterns", () => {
      const { split, counter } = splitter(3);
      const results = feed(split, ["aaaa\nbb\ncccc", "c\ndd", "dd", "\nee"]);
      expect(results.flat().map((e) => e.body.toString())).toEqual(["aaa", "bb", "ccc", "ddd"]);
      expect(bodies(flush(split))).toEqual(["ee"]);
      expect(counter.LineTruncatedCount).toBe(3);
    });

    it("cuts a final line without newline once, and emits it only once", () => {
      const { split, counter } = splitter(3);
      const results = feed(split, ["ok\nlonger"]);
      expect(results.map(bodies)).toEqual([["ok"]]);
      expect(bodies(flush(split))).toEqual(["lon"]);
      expect(flush(split)).toEqual([]);
      expect(counter.LineTruncatedCount).toBe(1);
      // After the flush the splitter is clean again.
      expect(bodies(feed(split, ["new\n"]).flat())).toEqual(["new"]);
    });

    it("adds to a counter shared with other splitters (a counter with only LineTruncatedCount will do)", () => {
      const counter = { LineTruncatedCount: 10 };
      const a = new LineSplitter(2, counter);
      const b = new LineSplitter(2, counter);
      a.push(Buffer.from("aaa\n"), []);
      b.push(Buffer.from("bbb\n"), []);
      expect(counter.LineTruncatedCount).toBe(12);
    });
  });

  describe("over-long lines, discard", () => {
    it("leaves the whole line out and counts it, keeping the lines around it", () => {
      const { split, counter } = splitter(5, { longLines: "discard" });
      const results = feed(split, ["short\n0123456789\nok\n", "abc", "defgh", "ij\nlast"]);
      expect(results.map(bodies)).toEqual([["short", "ok"], [], [], []]);
      expect(bodies(flush(split))).toEqual(["last"]);
      expect(counter.LineDiscardedCount).toBe(2);
      expect(counter.LineTruncatedCount).toBe(0);
      expect(split.longLines).toBe(2);
    });

    it("drops an over-long last line without delimiter at the end of the stream", () => {
      const { split, counter } = splitter(3, { longLines: "discard" });
      feed(split, ["a\n", "bcdefgh"]);
      expect(split.pendingBytes).toBeLessThanOrEqual(3);
      expect(flush(split)).toEqual([]);
      expect(counter.LineDiscardedCount).toBe(1);
    });
  });

  describe("delimiters", () => {
    it("splits on CRLF and keeps a lone CR or LF inside a line", () => {
      const { split } = splitter(1024, { delimiter: Buffer.from("\r\n") });
      const [events] = feed(split, ["a\rb\r\nc\nd\r\n\r\n"]);
      expect(bodies(events ?? [])).toEqual(["a\rb", "c\nd", ""]);
    });

    it("finds a CRLF split between two chunks", () => {
      const { split } = splitter(1024, { delimiter: Buffer.from("\r\n") });
      const results = feed(split, ["one\r", "\ntwo\r", "\n"]);
      expect(results.map(bodies)).toEqual([[], ["one"], ["two"]]);
      expect(split.pendingBytes).toBe(0);
    });

    it("finds a long delimiter spread over several one-byte chunks", () => {
      const { split } = splitter(1024, { delimiter: Buffer.from("<END>") });
      const results = feed(split, [..."ab<END>c<EN".split(""), ..."D>".split("")]);
      expect(results.flat().map((e) => e.body.toString())).toEqual(["ab", "c"]);
    });

    it("splits on NUL bytes", () => {
      const { split } = splitter(1024, { delimiter: Buffer.from([0]) });
      const [events] = feed(split, [Buffer.from("a\nb\u0000c\u0000")]);
      expect(bodies(events ?? [])).toEqual(["a\nb", "c"]);
    });

    it("does not count a line of exactly max bytes whose CRLF is split across chunks as too long", () => {
      const { split, counter } = splitter(5, { delimiter: Buffer.from("\r\n") });
      const results = feed(split, ["abcde\r", "\n"]);
      expect(results.map(bodies)).toEqual([[], ["abcde"]]);
      expect(counter.LineTruncatedCount).toBe(0);
    });

    it("refuses an empty delimiter", () => {
      expect(() => new LineSplitter(10, { LineTruncatedCount: 0 }, { delimiter: Buffer.alloc(0) })).toThrow(RangeError);
    });
  });

  describe("ends: the stream offset after each event's delimiter", () => {
    it("gives the offset after each line, across chunks and at the flush", () => {
      const { split } = splitter(1024, { delimiter: Buffer.from("\r\n") });
      const ends: number[] = [];
      feed(split, ["ab\r\ncd\r", "\nef", "g"], ends);
      flush(split, ends);
      expect(ends).toEqual([4, 8, 11]);
    });

    it("skips a discarded line: the next event's end is after it", () => {
      const { split } = splitter(2, { longLines: "discard" });
      const ends: number[] = [];
      const events = feed(split, ["a\nbbbbb\nc\n"], ends).flat();
      expect(bodies(events)).toEqual(["a", "c"]);
      expect(ends).toEqual([2, 10]);
    });
  });

  /** The whole stream split at once, as the splitter should see it whatever the chunking. */
  function reference(stream: Buffer, max: number, delimiter: Buffer, drop: boolean): { lines: Buffer[]; ends: number[]; long: number } {
    const lines: Buffer[] = [];
    const ends: number[] = [];
    let long = 0;
    let start = 0;
    while (start < stream.length) {
      const found = stream.indexOf(delimiter, start);
      const end = found === -1 ? stream.length : found;
      const line = stream.subarray(start, end);
      const next = found === -1 ? stream.length : found + delimiter.length;
      if (line.length > max) long++;
      if (line.length <= max || !drop) {
        lines.push(line.subarray(0, max));
        ends.push(next);
      }
      start = next;
    }
    return { lines, ends, long };
  }

  it("gives the same lines and ends whatever the chunking (random streams, cuts, delimiters and policies)", () => {
    const alphabet = [0x61, 0x62, 0x20, 0x00, 0xff, 0xc3, 0xa9, 0x0d, NL, NL];
    const delimiters = [Buffer.from("\n"), Buffer.from("\r\n"), Buffer.from("aab"), Buffer.from([0]), Buffer.from("\n\n")];
    for (let seed = 1; seed <= 400; seed++) {
      const rng = createPrng(seed);
      const max = rng.int(1, 12);
      const delimiter = rng.pick(delimiters);
      const drop = rng.int(0, 1) === 1;
      const stream = Buffer.from(Array.from({ length: rng.int(0, 200) }, () => rng.pick(alphabet)));
      const expected = reference(stream, max, delimiter, drop);
      const counter = { LineTruncatedCount: 0, LineDiscardedCount: 0 };
      const split = new LineSplitter(max, counter, { delimiter, longLines: drop ? "discard" : "truncate" });
      const out: FlowEvent[] = [];
      const ends: number[] = [];
      let at = 0;
      while (at < stream.length) {
        const size = rng.int(1, 15);
        split.push(stream.subarray(at, at + size), out, ends);
        expect(split.pendingBytes).toBeLessThanOrEqual(max + delimiter.length - 1);
        at += size;
      }
      split.flush(out, ends);
      const got = out.map((e) => e.body.toString("hex"));
      const context = `seed ${seed}, delimiter ${delimiter.toString("hex")}, max ${max}, ${drop ? "discard" : "truncate"}`;
      expect(got, context).toEqual(expected.lines.map((line) => line.toString("hex")));
      expect(ends, context).toEqual(expected.ends);
      expect(drop ? counter.LineDiscardedCount : counter.LineTruncatedCount, context).toBe(expected.long);
      expect(drop ? counter.LineTruncatedCount : counter.LineDiscardedCount, context).toBe(0);
    }
  });
});
