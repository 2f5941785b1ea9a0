import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { DelimiterSplitter } from "../../../runtime/sources/byte-stream/delimiter-splitter";
import { bodies } from "../../helpers/events";
import { createPrng } from "../../helpers/prng";

function splitter(delimiter: string, max = 1024): { split: DelimiterSplitter; counter: { LineTruncatedCount: number } } {
  const counter = { LineTruncatedCount: 0 };
  return { split: new DelimiterSplitter(delimiter, max, counter), counter };
}

/** Feeds every chunk, then flushes; returns all the bodies. */
function run(split: DelimiterSplitter, chunks: readonly (string | Buffer)[]): string[] {
  const out: FlowEvent[] = [];
  for (const chunk of chunks) split.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk, out);
  split.flush(out);
  return out.map((event) => event.body.toString("latin1"));
}

/** What splitting the whole stream at once means: records cut to `max`, a last record without delimiter kept. */
function reference(stream: string, delimiter: string, max: number): { records: string[]; truncated: number } {
  const pieces = stream.split(delimiter);
  const last = pieces.pop() as string;
  if (last !== "") pieces.push(last);
  let truncated = 0;
  const records = pieces.map((piece) => {
    if (piece.length <= max) return piece;
    truncated++;
    return piece.slice(0, max);
  });
  return { records, truncated };
}

describe("DelimiterSplitter", () => {
  it("splits on a newline and keeps a last record without one", () => {
    const { split } = splitter("\n");
    expect(run(split, ["alpha\nbeta\n", "gam", "ma\n\nlast"])).toEqual(["alpha", "beta", "gamma", "", "last"]);
  });

  it("splits on a delimiter of several bytes that arrives split across chunks", () => {
    const { split } = splitter("\r\n");
    expect(run(split, ["one\r", "\ntwo\r\nthr", "ee\r", "\n"])).toEqual(["one", "two", "three"]);
  });

  it("keeps a lone delimiter prefix as data", () => {
    const { split } = splitter("\r\n");
    expect(run(split, ["a\rb\r", "c\r\n"])).toEqual(["a\rb\rc"]);
  });

  it("splits on NUL (find -print0)", () => {
    const { split } = splitter("\u0000");
    expect(run(split, ["./a b\u0000./c\u0000"])).toEqual(["./a b", "./c"]);
  });

  it("cuts an over-long record, counts it, and discards the rest up to its delimiter", () => {
    const { split, counter } = splitter("\n", 4);
    const out: FlowEvent[] = [];
    split.push(Buffer.from("abcdefgh"), out);
    // Emitted as soon as it is certainly too long, before its newline arrives.
    expect(bodies(out)).toEqual(["abcd"]);
    split.push(Buffer.from("ij\nok\n"), out);
    expect(bodies(out)).toEqual(["abcd", "ok"]);
    expect(counter.LineTruncatedCount).toBe(1);
    expect(split.pendingBytes).toBe(0);
  });

  it("does not cut a record of exactly the limit whose delimiter of several bytes is split", () => {
    const { split, counter } = splitter("\r\n", 4);
    expect(run(split, ["abcd\r", "\nnext\r\n"])).toEqual(["abcd", "next"]);
    expect(counter.LineTruncatedCount).toBe(0);
  });

  it("finds the delimiter that ends a discarded over-long record across chunks", () => {
    const { split, counter } = splitter("\r\n", 3);
    expect(run(split, ["abcdefg\r", "\nxy\r\n"])).toEqual(["abc", "xy"]);
    expect(counter.LineTruncatedCount).toBe(1);
  });

  it("holds at most the limit plus a delimiter's length of an endless record", () => {
    const { split } = splitter("\n", 100);
    const out: FlowEvent[] = [];
    for (let i = 0; i < 1000; i++) split.push(Buffer.alloc(1000, 0x61), out);
    expect(out.length).toBe(1);
    expect(split.pendingBytes).toBe(0);
  });

  it("discard() forgets an unfinished record and reports its size", () => {
    const { split } = splitter("\n");
    const out: FlowEvent[] = [];
    split.push(Buffer.from("done\nhalf"), out);
    expect(split.discard()).toBe(4);
    split.flush(out);
    expect(bodies(out)).toEqual(["done"]);
  });

  it("refuses an empty delimiter", () => {
    expect(() => splitter("")).toThrow(RangeError);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`splits any chunking of a random stream as if it were one chunk (seed ${seed})`, () => {
      const prng = createPrng(seed);
      const delimiter = prng.pick(["\n", "\r\n", "ab", "aba", "\u0000\u0000\u0001"]);
      const max = prng.int(1, 12);
      const alphabet = ["a", "b", "\r", "\n", "x", "\u0000", "\u0001"];
      let stream = "";
      const length = prng.int(0, 400);
      for (let i = 0; i < length; i++) stream += prng.chance(0.15) ? delimiter : prng.pick(alphabet);
      const chunks: string[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = prng.int(1, 9);
        chunks.push(stream.slice(at, at + size));
        at += size;
      }
      const { split, counter } = splitter(delimiter, max);
      const expected = reference(stream, delimiter, max);
      expect(run(split, chunks)).toEqual(expected.records);
      expect(counter.LineTruncatedCount).toBe(expected.truncated);
    });
  }
});
