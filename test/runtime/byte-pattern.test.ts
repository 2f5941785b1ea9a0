import { describe, expect, it } from "vitest";
import { BytePattern } from "../../runtime/processors/byte-pattern";
import { createPrng } from "../helpers/prng";

describe("BytePattern", () => {
  it("finds a text at the start, in the middle, at the end, or not at all", () => {
    const pattern = new BytePattern("timeout");
    expect(pattern.foundIn(Buffer.from("timeout"))).toBe(true);
    expect(pattern.foundIn(Buffer.from("timeout at start"))).toBe(true);
    expect(pattern.foundIn(Buffer.from("a timeout here"))).toBe(true);
    expect(pattern.foundIn(Buffer.from("ends in timeout"))).toBe(true);
    expect(pattern.foundIn(Buffer.from("ttimeoutt"))).toBe(true);
    expect(pattern.foundIn(Buffer.from("timeou"))).toBe(false);
    expect(pattern.foundIn(Buffer.from("time out"))).toBe(false);
    expect(pattern.foundIn(Buffer.from("TIMEOUT"))).toBe(false);
    expect(pattern.foundIn(Buffer.alloc(0))).toBe(false);
  });

  it("searches only the bytes of a view, not the buffer around it", () => {
    const chunk = Buffer.from("timeout|plain line|timeout");
    const pattern = new BytePattern("timeout");
    expect(pattern.foundIn(chunk.subarray(8, 18))).toBe(false);
    expect(pattern.foundIn(chunk.subarray(7, 19))).toBe(false);
    expect(pattern.foundIn(chunk.subarray(19))).toBe(true);
  });

  it("handles one-byte patterns and patterns longer than its largest skip", () => {
    expect(new BytePattern("x").foundIn(Buffer.from("abcx"))).toBe(true);
    expect(new BytePattern("x").foundIn(Buffer.from("abc"))).toBe(false);
    const long = "ab".repeat(200) + "c";
    expect(new BytePattern(long).foundIn(Buffer.from(`zz${long}zz`))).toBe(true);
    expect(new BytePattern(long).foundIn(Buffer.from(`zz${long.slice(1)}zz`))).toBe(false);
  });

  it("refuses an empty pattern", () => {
    expect(() => new BytePattern("")).toThrow(RangeError);
  });

  it("agrees with Buffer.indexOf on random patterns and haystacks full of near misses", () => {
    for (const seed of [1, 2, 3, 7, 99]) {
      const rng = createPrng(seed);
      // A three-letter alphabet makes partial matches and repeated bytes common.
      const text = (length: number): string => Array.from({ length }, () => "abc"[rng.int(0, 2)]).join("");
      for (let round = 0; round < 2_000; round++) {
        const needle = text(rng.int(1, 8));
        const haystack = Buffer.from(text(rng.int(0, 40)));
        const expected = haystack.indexOf(Buffer.from(needle)) !== -1;
        expect(new BytePattern(needle).foundIn(haystack), `seed ${seed}: ${needle} in ${haystack.toString()}`).toBe(expected);
      }
    }
  });
});
