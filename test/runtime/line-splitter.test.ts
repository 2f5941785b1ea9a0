import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../runtime/core/event";
import { LineSplitter } from "../../runtime/sources/tcp/line-splitter";
import { bodies } from "../helpers/events";
import { createPrng } from "../helpers/prng";

const NL = 0x0a;

/** A splitter with a fresh counter. */
function splitter(maxLineLength = 1024): { split: LineSplitter; counter: { LineTruncatedCount: number } } {
  const counter = { LineTruncatedCount: 0 };
  return { split: new LineSplitter(maxLineLength, counter), counter };
}

/** Feeds `chunks` one by one, returning the events each push produced. */
function feed(split: LineSplitter, chunks: readonly (string | Buffer)[]): FlowEvent[][] {
  return chunks.map((chunk) => {
    const out: FlowEvent[] = [];
    split.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk, out);
    return out;
  });
}

function flush(split: LineSplitter): FlowEvent[] {
  const out: FlowEvent[] = [];
  split.flush(out);
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

  describe("truncation at maxLineLength", () => {
    it("cuts a long line within one chunk to its first max bytes and keeps the next line intact", () => {
      const { split, counter } = splitter(5);
      const [events] = feed(split, ["0123456789\nok\n"]);
      expect(bodies(events ?? [])).toEqual(["01234", "ok"]);
      expect(counter.LineTruncatedCount).toBe(1);
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

    it("emits the cut line as soon as the carried bytes exceed max, and discards the rest up to the newline", () => {
      const { split, counter } = splitter(5);
      const results = feed(split, ["abc", "defg", "hijklmn", "opq", "rs\nnext\n"]);
      expect(results.map(bodies)).toEqual([[], ["abcde"], [], [], ["next"]]);
      expect(counter.LineTruncatedCount).toBe(1);
      expect(split.pendingBytes).toBe(0);
    });

    it("never holds more than max bytes of a line that has no newline", () => {
      const { split, counter } = splitter(8);
      for (let i = 0; i < 100; i++) {
        feed(split, ["xxxxxxx"]);
        expect(split.pendingBytes).toBeLessThanOrEqual(8);
      }
      expect(counter.LineTruncatedCount).toBe(1);
      expect(flush(split)).toEqual([]); // it was already emitted (cut) once
    });

    it("cuts a single over-long chunk without newline, then skips up to the newline in a later chunk", () => {
      const { split, counter } = splitter(4);
      const results = feed(split, ["ABCDEFGHIJ", "KLM\nnext\n"]);
      expect(results.map(bodies)).toEqual([["ABCD"], ["next"]]);
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
      expect(results.map(bodies)).toEqual([["ok", "lon"]]);
      expect(flush(split)).toEqual([]);
      expect(counter.LineTruncatedCount).toBe(1);
      // After the flush the splitter is clean again.
      expect(bodies(feed(split, ["new\n"]).flat())).toEqual(["new"]);
    });

    it("adds to a counter shared with other splitters", () => {
      const counter = { LineTruncatedCount: 10 };
      const a = new LineSplitter(2, counter);
      const b = new LineSplitter(2, counter);
      a.push(Buffer.from("aaa\n"), []);
      b.push(Buffer.from("bbb\n"), []);
      expect(counter.LineTruncatedCount).toBe(12);
    });
  });

  /** The whole stream split at once, as the splitter should see it whatever the chunking. */
  function reference(stream: Buffer, max: number): { lines: Buffer[]; truncated: number } {
    const lines: Buffer[] = [];
    let truncated = 0;
    let start = 0;
    for (;;) {
      const newline = stream.indexOf(NL, start);
      const end = newline === -1 ? stream.length : newline;
      if (newline === -1 && start === stream.length) break;
      const line = stream.subarray(start, end);
      if (line.length > max) truncated++;
      lines.push(line.subarray(0, max));
      if (newline === -1) break;
      start = newline + 1;
    }
    return { lines, truncated };
  }

  it("gives the same lines whatever the chunking (random streams and cuts)", () => {
    const alphabet = [0x61, 0x62, 0x20, 0x00, 0xff, 0xc3, 0xa9, 0x0d, NL, NL];
    for (let seed = 1; seed <= 200; seed++) {
      const rng = createPrng(seed);
      const max = rng.int(1, 12);
      const stream = Buffer.from(Array.from({ length: rng.int(0, 200) }, () => rng.pick(alphabet)));
      const expected = reference(stream, max);
      const counter = { LineTruncatedCount: 0 };
      const split = new LineSplitter(max, counter);
      const out: FlowEvent[] = [];
      let at = 0;
      while (at < stream.length) {
        const size = rng.int(1, 15);
        split.push(stream.subarray(at, at + size), out);
        expect(split.pendingBytes).toBeLessThanOrEqual(max);
        at += size;
      }
      split.flush(out);
      const got = out.map((e) => e.body.toString("hex"));
      expect(got, `seed ${seed}`).toEqual(expected.lines.map((line) => line.toString("hex")));
      expect(counter.LineTruncatedCount, `seed ${seed}`).toBe(expected.truncated);
    }
  });
});
