import { describe, expect, it } from "vitest";
import { RingQueue } from "../../runtime/core/ring-queue";
import { createPrng } from "../helpers/prng";

/** Drains the queue one shift at a time (so each call exercises the head pointer). */
function drain<T>(queue: RingQueue<T>): T[] {
  const out: T[] = [];
  while (queue.shiftInto(out, 1) === 1);
  return out;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe("RingQueue", () => {
  it("starts empty and shifts nothing", () => {
    const queue = new RingQueue<number>();
    const out: number[] = [];
    expect(queue.length).toBe(0);
    expect(queue.shiftInto(out, 10)).toBe(0);
    expect(out).toEqual([]);
  });

  it("is FIFO across pushes", () => {
    const queue = new RingQueue<number>(16);
    queue.pushAll([1, 2, 3]);
    queue.pushAll([4]);
    queue.pushAll([]);
    queue.pushAll([5, 6]);
    expect(queue.length).toBe(6);
    expect(drain(queue)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(queue.length).toBe(0);
  });

  it("keeps FIFO order when growing far beyond its initial capacity", () => {
    const queue = new RingQueue<number>(16);
    queue.pushAll(range(0, 10));
    queue.pushAll(range(10, 100)); // needs several doublings at once: 16 -> 128
    queue.pushAll(range(110, 1)); // and one more push after growth
    expect(queue.length).toBe(111);
    expect(drain(queue)).toEqual(range(0, 111));
  });

  it("keeps FIFO order when the tail wraps around the end of the buffer", () => {
    const queue = new RingQueue<number>(16);
    const out: number[] = [];
    queue.pushAll(range(0, 12));
    expect(queue.shiftInto(out, 10)).toBe(10); // head at slot 10
    queue.pushAll(range(12, 12)); // 14 items: slots 10..15 then 0..7 (wrapped), still within 16
    expect(queue.length).toBe(14);
    expect(out).toEqual(range(0, 10));
    expect(drain(queue)).toEqual(range(10, 14));
  });

  it("keeps FIFO order when it grows while wrapped", () => {
    const queue = new RingQueue<number>(16);
    const out: number[] = [];
    queue.pushAll(range(0, 14));
    queue.shiftInto(out, 12); // head at slot 12, 2 items left
    queue.pushAll(range(14, 10)); // 12 items, wrapped: slots 12..15, 0..7
    queue.pushAll(range(24, 20)); // 32 items: grows from 16 to 32 while wrapped
    expect(queue.length).toBe(32);
    expect(drain(queue)).toEqual(range(12, 32));
  });

  describe("shiftInto", () => {
    it("takes nothing for a max of zero or less, leaving the queue intact", () => {
      const queue = new RingQueue<number>(4);
      queue.pushAll([1, 2, 3]);
      const out: number[] = [];
      expect(queue.shiftInto(out, -1)).toBe(0);
      expect(queue.shiftInto(out, 0)).toBe(0);
      expect(queue.length).toBe(3);
      expect(queue.shiftInto(out, 10)).toBe(3);
      expect(out).toEqual([1, 2, 3]);
    });

    it("moves at most `max` items, appends to `into` and returns the number moved", () => {
      const queue = new RingQueue<string>();
      queue.pushAll(["a", "b", "c", "d", "e"]);
      const into = ["existing"];
      expect(queue.shiftInto(into, 3)).toBe(3);
      expect(into).toEqual(["existing", "a", "b", "c"]);
      expect(queue.length).toBe(2);
    });

    it("moves only what there is when `max` exceeds the length", () => {
      const queue = new RingQueue<string>();
      queue.pushAll(["a", "b"]);
      const into: string[] = [];
      expect(queue.shiftInto(into, 100)).toBe(2);
      expect(into).toEqual(["a", "b"]);
      expect(queue.length).toBe(0);
    });

    it("moves nothing when `max` is 0", () => {
      const queue = new RingQueue<string>();
      queue.pushAll(["a"]);
      const into: string[] = [];
      expect(queue.shiftInto(into, 0)).toBe(0);
      expect(into).toEqual([]);
      expect(queue.length).toBe(1);
    });
  });

  describe("shift", () => {
    it("returns a new array of at most `max` items from the head, none for a max of zero or less", () => {
      const queue = new RingQueue<number>(4);
      queue.pushAll([1, 2, 3]);
      expect(queue.shift(0)).toEqual([]);
      expect(queue.shift(-1)).toEqual([]);
      expect(queue.shift(2)).toEqual([1, 2]);
      expect(queue.shift(100)).toEqual([3]);
      expect(queue.length).toBe(0);
      expect(queue.shift(1)).toEqual([]);
    });

    it("takes across the end of the buffer in order, and keeps no reference to what it took", () => {
      const queue = new RingQueue<{ n: number }>(16);
      const values = range(0, 20).map((n) => ({ n }));
      queue.pushAll(values.slice(0, 12));
      expect(queue.shift(10)).toEqual(values.slice(0, 10)); // head at slot 10
      queue.pushAll(values.slice(12, 20)); // slots 10..15, then 0..3
      const taken = queue.shift(9); // slots 10..15 and 0..2
      expect(taken).toEqual(values.slice(10, 19));
      expect(queue.length).toBe(1);
      // The slots it emptied hold nothing that would keep an event alive.
      const slots = (queue as unknown as { items: unknown[] }).items;
      expect(slots.filter((item) => item !== undefined)).toEqual([values[19]]);
      expect(queue.shift(5)).toEqual([values[19]]);
    });
  });

  describe("unshiftAll", () => {
    it("puts items back at the head in their original order", () => {
      const queue = new RingQueue<number>();
      queue.pushAll([1, 2, 3, 4, 5]);
      const taken: number[] = [];
      queue.shiftInto(taken, 3);
      expect(taken).toEqual([1, 2, 3]);
      queue.unshiftAll(taken);
      expect(queue.length).toBe(5);
      expect(drain(queue)).toEqual([1, 2, 3, 4, 5]);
    });

    it("works on an empty queue and before later pushes", () => {
      const queue = new RingQueue<number>();
      queue.unshiftAll([7, 8]);
      queue.pushAll([9]);
      expect(drain(queue)).toEqual([7, 8, 9]);
    });

    it("wraps the head backwards past slot 0", () => {
      const queue = new RingQueue<number>(16);
      queue.pushAll([10, 11]); // head at slot 0
      queue.unshiftAll([7, 8, 9]); // head moves to slots 13..15
      expect(drain(queue)).toEqual([7, 8, 9, 10, 11]);
    });

    it("grows when the returned items do not fit, keeping order", () => {
      const queue = new RingQueue<number>(16);
      const out: number[] = [];
      queue.pushAll(range(0, 16));
      queue.shiftInto(out, 6); // head at slot 6, 10 left
      queue.pushAll(range(16, 6)); // full again, wrapped
      const more: number[] = [];
      queue.shiftInto(more, 4);
      // 12 left: putting back the 4 fills the 16 slots, then the 6 taken first need 22 and force growth.
      queue.unshiftAll(more);
      queue.unshiftAll(out);
      expect(queue.length).toBe(22);
      expect(drain(queue)).toEqual(range(0, 22));
    });
  });

  it("matches an array model under random operations", () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const rng = createPrng(seed);
      const queue = new RingQueue<number>(16);
      const model: number[] = [];
      let next = 0;
      for (let step = 0; step < 2_000; step++) {
        const op = rng.int(0, 2);
        if (op === 0) {
          const values = range(next, rng.int(0, 40));
          next += values.length;
          queue.pushAll(values);
          model.push(...values);
        } else if (op === 1) {
          const max = rng.int(0, 50);
          // Both ways of taking from the head, which must agree.
          let into: number[] = [];
          const moved = rng.chance(0.5) ? queue.shiftInto(into, max) : (into = queue.shift(max)).length;
          const expected = model.splice(0, max);
          expect(moved, `seed ${seed} step ${step}`).toBe(expected.length);
          expect(into, `seed ${seed} step ${step}`).toEqual(expected);
          // Sometimes give them back, as a rolled-back take does.
          if (rng.chance(0.3)) {
            queue.unshiftAll(into);
            model.unshift(...into);
          }
        } else {
          expect(queue.length, `seed ${seed} step ${step}`).toBe(model.length);
        }
      }
      expect(drain(queue), `seed ${seed}`).toEqual(model);
    }
  });
});
