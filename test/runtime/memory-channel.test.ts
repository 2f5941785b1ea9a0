import { describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../runtime/channels/memory/memory-channel";
import { memoryChannelSpec } from "../../runtime/channels/memory/spec";
import { memoryChannel } from "../helpers/memory-channel";
import type { FlowEvent } from "../../runtime/core/event";
import { ChannelFullError, TransactionStateError } from "../../runtime/core/errors";
import { putCommitted, takeAll, takeCommitted } from "../helpers/channel-io";
import { bodies, event, numberedEvents } from "../helpers/events";
import { isSettled } from "../helpers/is-settled";
import { createPrng, type Prng } from "../helpers/prng";

function channel(capacity = 100, transaction_capacity = 10): MemoryChannel {
  return memoryChannel("mem", { capacity, transaction_capacity });
}

describe("MemoryChannel", () => {
  describe("put transactions", () => {
    it("makes events visible to takers only on commit", () => {
      const ch = channel();
      const txn = ch.beginPut();
      txn.put(numberedEvents(3));
      expect(ch.size()).toBe(0);
      expect(takeCommitted(ch)).toEqual([]);
      txn.commit();
      expect(ch.size()).toBe(3);
      expect(bodies(takeCommitted(ch))).toEqual(["e0", "e1", "e2"]);
    });

    it("hands takers the very event objects that were put", () => {
      const ch = channel();
      const events = [event("héllo", { host: "a" }), event(Buffer.from([0x00, 0xff, 0x0a]))];
      putCommitted(ch, events);
      const taken = takeCommitted(ch);
      expect(taken).toHaveLength(2);
      expect(taken[0]).toBe(events[0]);
      expect(taken[1]).toBe(events[1]);
    });

    it("accumulates several put calls into one commit", () => {
      const ch = channel(100, 10);
      const txn = ch.beginPut();
      txn.put(numberedEvents(4, "a"));
      txn.put(numberedEvents(6, "b"));
      txn.commit();
      expect(bodies(takeAll(ch))).toEqual([...bodies(numberedEvents(4, "a")), ...bodies(numberedEvents(6, "b"))]);
    });

    it("adds nothing on rollback", () => {
      const ch = channel();
      const txn = ch.beginPut();
      txn.put(numberedEvents(5));
      txn.rollback();
      expect(ch.size()).toBe(0);
      expect(takeAll(ch)).toEqual([]);
      expect(ch.counter.EventPutSuccessCount).toBe(0);
    });

    it("refuses a commit that would exceed capacity with ChannelFullError and adds none of the batch", () => {
      const ch = channel(10, 10);
      putCommitted(ch, numberedEvents(7, "old"));
      const txn = ch.beginPut();
      txn.put(numberedEvents(4, "new")); // 7 + 4 > 10
      let thrown: unknown;
      try {
        txn.commit();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ChannelFullError);
      expect((thrown as ChannelFullError).channel).toBe("mem");
      expect((thrown as Error).message).toContain("`mem` is full");
      txn.rollback();
      expect(ch.size()).toBe(7);
      expect(ch.counter.EventPutSuccessCount).toBe(7);
      expect(bodies(takeAll(ch))).toEqual(bodies(numberedEvents(7, "old")));
    });

    it("accepts a commit that fills the channel exactly", () => {
      const ch = channel(10, 10);
      putCommitted(ch, numberedEvents(6));
      putCommitted(ch, numberedEvents(4, "e", 6));
      expect(ch.size()).toBe(10);
      expect(() => putCommitted(ch, [event("one too many")])).toThrow(ChannelFullError);
      expect(bodies(takeAll(ch))).toEqual(bodies(numberedEvents(10)));
    });

    it("throws when one transaction puts more than transaction_capacity, keeping what was staged", () => {
      const ch = channel(100, 5);
      const txn = ch.beginPut();
      txn.put(numberedEvents(3));
      expect(() => txn.put(numberedEvents(3, "x"))).toThrow(TransactionStateError);
      expect(() => txn.put(numberedEvents(3, "x"))).toThrow(/exceeds transaction_capacity 5/);
      txn.put(numberedEvents(2, "e", 3)); // exactly 5 is fine
      txn.commit();
      expect(bodies(takeAll(ch))).toEqual(bodies(numberedEvents(5)));
    });

    it("throws on a single put larger than transaction_capacity", () => {
      const ch = channel(100, 5);
      expect(() => ch.beginPut().put(numberedEvents(6))).toThrow(TransactionStateError);
      expect(ch.counter.EventPutAttemptCount).toBe(0);
    });

    it("never lets transaction_capacity exceed capacity", () => {
      expect(channel(3, 10).transactionCapacity).toBe(3);
      expect(channel(30, 10).transactionCapacity).toBe(10);
    });

    it("rejects use of a finished put transaction", () => {
      const ch = channel();
      const txn = ch.beginPut();
      txn.put([event("a")]);
      txn.commit();
      expect(() => txn.put([event("b")])).toThrow(TransactionStateError);
      expect(() => txn.commit()).toThrow(TransactionStateError);
      expect(bodies(takeAll(ch))).toEqual(["a"]);
    });

    it("commits an empty transaction as a no-op", () => {
      const ch = channel();
      const txn = ch.beginPut();
      txn.commit();
      expect(ch.size()).toBe(0);
      expect(ch.counter.EventPutSuccessCount).toBe(0);
    });
  });

  describe("take transactions", () => {
    it("takes at most `max` events from the head, FIFO", () => {
      const ch = channel(100, 10);
      putCommitted(ch, numberedEvents(8));
      const txn = ch.beginTake();
      expect(bodies(txn.take(3))).toEqual(["e0", "e1", "e2"]);
      expect(bodies(txn.take(2))).toEqual(["e3", "e4"]);
      txn.commit();
      expect(bodies(takeAll(ch))).toEqual(["e5", "e6", "e7"]);
    });

    it("never takes more than transaction_capacity in one transaction", () => {
      const ch = channel(100, 4);
      putCommitted(ch, numberedEvents(4));
      putCommitted(ch, numberedEvents(4, "e", 4));
      const txn = ch.beginTake();
      expect(txn.take(3)).toHaveLength(3);
      expect(bodies(txn.take(100))).toEqual(["e3"]);
      expect(txn.take(100)).toEqual([]);
      txn.commit();
      expect(ch.size()).toBe(4);
    });

    it("frees space on commit", () => {
      const ch = channel(5, 5);
      putCommitted(ch, numberedEvents(5));
      expect(() => putCommitted(ch, [event("x")])).toThrow(ChannelFullError);
      expect(takeCommitted(ch, 2)).toHaveLength(2);
      expect(ch.size()).toBe(3);
      putCommitted(ch, [event("x"), event("y")]);
      expect(bodies(takeAll(ch))).toEqual(["e2", "e3", "e4", "x", "y"]);
    });

    it("returns events to the head in their original order on rollback", () => {
      const ch = channel(100, 10);
      putCommitted(ch, numberedEvents(6));
      const txn = ch.beginTake();
      const taken = [...txn.take(2), ...txn.take(2)];
      expect(bodies(taken)).toEqual(["e0", "e1", "e2", "e3"]);
      putCommitted(ch, [event("later")]);
      txn.rollback();
      expect(ch.size()).toBe(7);
      const retry = takeCommitted(ch, 4);
      expect(retry).toEqual(taken); // the same objects, same order
      expect(bodies(takeAll(ch))).toEqual(["e4", "e5", "later"]);
    });

    it("counts events held by an open take toward capacity until the take commits", () => {
      const ch = channel(3, 3);
      putCommitted(ch, numberedEvents(3));
      const txn = ch.beginTake();
      expect(txn.take(2)).toHaveLength(2);
      expect(ch.size()).toBe(3);
      expect(() => putCommitted(ch, [event("x")])).toThrow(ChannelFullError);
      txn.commit();
      expect(ch.size()).toBe(1);
      putCommitted(ch, [event("x"), event("y")]);
      expect(ch.size()).toBe(3);
    });

    it("counts events held by an open take toward capacity until the take rolls back", () => {
      const ch = channel(3, 3);
      putCommitted(ch, numberedEvents(3));
      const txn = ch.beginTake();
      txn.take(3);
      expect(ch.size()).toBe(3);
      expect(() => putCommitted(ch, [event("x")])).toThrow(ChannelFullError);
      txn.rollback();
      expect(ch.size()).toBe(3);
      expect(() => putCommitted(ch, [event("x")])).toThrow(ChannelFullError);
      expect(bodies(takeAll(ch))).toEqual(["e0", "e1", "e2"]);
    });

    it("rejects use of a finished put transaction, but allows rollback after a refused commit", () => {
      const ch = memoryChannel("c", { capacity: 2, transaction_capacity: 2 });
      const committed = ch.beginPut();
      committed.put([event("a")]);
      committed.commit();
      expect(() => committed.rollback()).toThrow(TransactionStateError);
      expect(() => committed.put([event("b")])).toThrow(TransactionStateError);
      expect(ch.size()).toBe(1);
      const refused = ch.beginPut();
      refused.put([event("b"), event("c")]);
      expect(() => refused.commit()).toThrow(ChannelFullError);
      refused.rollback();
      expect(() => refused.rollback()).toThrow(TransactionStateError);
      expect(bodies(takeAll(ch))).toEqual(["a"]);
    });

    it("rejects use of a finished take transaction", () => {
      const ch = channel();
      putCommitted(ch, numberedEvents(2));
      const committed = ch.beginTake();
      committed.take(1);
      committed.commit();
      expect(() => committed.take(1)).toThrow(TransactionStateError);
      expect(() => committed.commit()).toThrow(TransactionStateError);
      expect(() => committed.rollback()).toThrow(TransactionStateError);
      const rolledBack = ch.beginTake();
      rolledBack.take(1);
      rolledBack.rollback();
      expect(() => rolledBack.rollback()).toThrow(TransactionStateError);
      expect(ch.size()).toBe(1); // the second rollback did not return the event twice
      expect(bodies(takeAll(ch))).toEqual(["e1"]);
    });
  });

  describe("wake-ups", () => {
    it("whenReadable resolves at once when events are available", async () => {
      const ch = channel();
      putCommitted(ch, [event("a")]);
      expect(await isSettled(ch.whenReadable())).toBe(true);
    });

    it("whenReadable waits while empty and resolves on a put commit (not on put or rollback)", async () => {
      const ch = channel();
      const readable = ch.whenReadable();
      expect(await isSettled(readable)).toBe(false);
      const rolledBack = ch.beginPut();
      rolledBack.put([event("a")]);
      rolledBack.rollback();
      const txn = ch.beginPut();
      txn.put([event("b")]);
      expect(await isSettled(readable)).toBe(false);
      txn.commit();
      expect(await isSettled(readable)).toBe(true);
    });

    it("whenReadable resolves when a take rolls back", async () => {
      const ch = channel();
      putCommitted(ch, [event("a")]);
      const txn = ch.beginTake();
      txn.take(1);
      const readable = ch.whenReadable(); // the only event is held by the take
      expect(await isSettled(readable)).toBe(false);
      txn.rollback();
      expect(await isSettled(readable)).toBe(true);
    });

    it("wakeReaders resolves every pending whenReadable waiter without events", async () => {
      const ch = channel();
      const first = ch.whenReadable();
      const second = ch.whenReadable();
      expect(await isSettled(first)).toBe(false);
      ch.wakeReaders();
      expect(await isSettled(first)).toBe(true);
      expect(await isSettled(second)).toBe(true);
      expect(ch.size()).toBe(0);
      // A new idle period needs a new wake-up.
      expect(await isSettled(ch.whenReadable())).toBe(false);
    });

    it("whenWritable resolves when a take commit frees space, not on an empty commit or a rollback", async () => {
      const ch = channel(2, 2);
      putCommitted(ch, numberedEvents(2));
      expect(() => putCommitted(ch, [event("x")])).toThrow(ChannelFullError);
      const writable = ch.whenWritable();
      const rolledBack = ch.beginTake();
      rolledBack.take(1);
      rolledBack.rollback();
      expect(await isSettled(writable)).toBe(false);
      const empty = ch.beginTake();
      empty.take(0);
      empty.commit();
      expect(await isSettled(writable)).toBe(false);
      takeCommitted(ch, 1);
      expect(await isSettled(writable)).toBe(true);
      putCommitted(ch, [event("x")]);
      expect(bodies(takeAll(ch))).toEqual(["e1", "x"]);
    });
  });

  describe("counters", () => {
    it("counts puts, takes and the channel size", () => {
      const ch = channel(10, 5);
      expect(ch.counter.ChannelCapacity).toBe(10);
      putCommitted(ch, numberedEvents(5));
      const rolledBack = ch.beginPut();
      rolledBack.put(numberedEvents(2));
      rolledBack.rollback();
      putCommitted(ch, numberedEvents(3));
      expect(ch.counter.EventPutAttemptCount).toBe(10);
      expect(ch.counter.EventPutSuccessCount).toBe(8);
      expect(ch.counter.ChannelSize).toBe(8);
      expect(ch.counter.ChannelFillPercentage).toBe(80);

      expect(() => putCommitted(ch, numberedEvents(3))).toThrow(ChannelFullError);
      expect(ch.counter.EventPutAttemptCount).toBe(13);
      expect(ch.counter.EventPutSuccessCount).toBe(8);

      const undone = ch.beginTake();
      undone.take(4);
      undone.rollback();
      expect(ch.counter.EventTakeSuccessCount).toBe(0);
      takeCommitted(ch, 5);
      expect(ch.counter.EventTakeSuccessCount).toBe(5);
      expect(ch.counter.ChannelSize).toBe(3);
    });

    it("counts take attempts like Flume: one per event, plus the empty take that ends a short batch", () => {
      const ch = channel(100, 10);
      putCommitted(ch, numberedEvents(7));
      takeCommitted(ch, 5); // a full batch: 5 successful takes, no empty one
      expect(ch.counter.EventTakeAttemptCount).toBe(5);
      takeCommitted(ch, 5); // 2 events, then Flume's take() returns null once: 3 attempts
      expect(ch.counter.EventTakeAttemptCount).toBe(8);
      takeCommitted(ch, 5); // empty channel: one attempt
      expect(ch.counter.EventTakeAttemptCount).toBe(9);
      expect(ch.counter.EventTakeSuccessCount).toBe(7);
    });

    it("records start and stop times", async () => {
      const ch = channel();
      const before = Date.now();
      await ch.start();
      expect(ch.counter.StartTime).toBeGreaterThanOrEqual(before);
      await ch.stop();
      expect(ch.counter.StopTime).toBeGreaterThanOrEqual(ch.counter.StartTime);
    });
  });

  describe("ensureRoom", () => {
    it("passes when the staged events fit and leaves the transaction open to commit", () => {
      const ch = channel(10, 10);
      putCommitted(ch, numberedEvents(6));
      const txn = ch.beginPut();
      txn.put(numberedEvents(4, "e", 6));
      txn.ensureRoom();
      expect(ch.size()).toBe(6); // nothing committed by the check
      txn.commit();
      expect(bodies(takeAll(ch))).toEqual(bodies(numberedEvents(10)));
    });

    it("throws the ChannelFullError commit would throw, commits nothing, and allows rollback", () => {
      const ch = channel(10, 10);
      putCommitted(ch, numberedEvents(7));
      const txn = ch.beginPut();
      txn.put(numberedEvents(4, "new"));
      expect(() => txn.ensureRoom()).toThrow(ChannelFullError);
      expect(() => txn.ensureRoom()).toThrow("channel `mem` is full (7 of 10 events)");
      expect(ch.size()).toBe(7);
      expect(ch.counter.EventPutSuccessCount).toBe(7);
      txn.rollback();
      expect(bodies(takeAll(ch))).toEqual(bodies(numberedEvents(7)));
    });

    it("rejects a finished transaction", () => {
      const txn = channel().beginPut();
      txn.commit();
      expect(() => txn.ensureRoom()).toThrow(TransactionStateError);
    });
  });

  describe("byte_capacity", () => {
    /** A channel bounded by bytes far more than by events. */
    function byteBound(byteCapacity: number, transactionCapacity = 100): MemoryChannel {
      return memoryChannel("mem", { capacity: 1_000, transaction_capacity: transactionCapacity, byte_capacity: byteCapacity });
    }
    /** An event whose body is `size` bytes. */
    const sized = (label: string, size: number) => event(Buffer.alloc(size, label));

    it("defaults to 256 MiB", () => {
      expect(memoryChannelSpec.properties.byte_capacity.default).toBe(256 * 1_048_576);
      expect(memoryChannelSpec.properties.byte_capacity.type).toEqual({ kind: "size", min: 1 });
    });

    it("counts body bytes, not headers, of committed events", () => {
      const ch = byteBound(1_000);
      expect(ch.byteSize()).toBe(0);
      putCommitted(ch, [event("12345", { big: "x".repeat(10_000) }), event(""), sized("a", 100)]);
      expect(ch.byteSize()).toBe(105);
      const rolledBack = ch.beginPut();
      rolledBack.put([sized("b", 50)]);
      rolledBack.rollback();
      expect(ch.byteSize()).toBe(105);
    });

    it("refuses a commit that would exceed it with ChannelFullError and adds none of the batch", () => {
      const ch = byteBound(100);
      putCommitted(ch, [sized("a", 60)]);
      const txn = ch.beginPut();
      txn.put([sized("b", 20), sized("c", 21)]); // 60 + 41 > 100
      let thrown: unknown;
      try {
        txn.commit();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ChannelFullError);
      expect((thrown as ChannelFullError).channel).toBe("mem");
      expect((thrown as Error).message).toBe("channel `mem` is full (60 of 100 bytes of event bodies, 41 more needed): sinks are not keeping up");
      txn.rollback();
      expect(ch.size()).toBe(1);
      expect(ch.byteSize()).toBe(60);
      expect(ch.counter.EventPutSuccessCount).toBe(1);
    });

    it("refuses through ensureRoom too, without committing", () => {
      const ch = byteBound(100);
      putCommitted(ch, [sized("a", 60)]);
      const txn = ch.beginPut();
      txn.put([sized("b", 41)]);
      expect(() => txn.ensureRoom()).toThrow(ChannelFullError);
      expect(ch.byteSize()).toBe(60);
      txn.rollback();
      const fits = ch.beginPut();
      fits.put([sized("b", 40)]);
      fits.ensureRoom();
      fits.commit();
      expect(ch.byteSize()).toBe(100);
    });

    it("accepts a commit that fills it exactly, then refuses one more byte but not an empty body", () => {
      const ch = byteBound(100);
      putCommitted(ch, [sized("a", 30), sized("b", 70)]);
      expect(ch.byteSize()).toBe(100);
      expect(() => putCommitted(ch, [sized("c", 1)])).toThrow(ChannelFullError);
      putCommitted(ch, [event("")]); // zero bytes still fit
      expect(ch.size()).toBe(3);
    });

    it("counts events held by an open take until the take commits, and keeps counting them after a rollback", () => {
      const ch = byteBound(100);
      putCommitted(ch, [sized("a", 50), sized("b", 50)]);
      const txn = ch.beginTake();
      expect(txn.take(1)).toHaveLength(1);
      expect(ch.byteSize()).toBe(100);
      expect(() => putCommitted(ch, [sized("c", 10)])).toThrow(ChannelFullError);
      txn.rollback();
      expect(ch.byteSize()).toBe(100);
      expect(() => putCommitted(ch, [sized("c", 10)])).toThrow(ChannelFullError);
      const committed = ch.beginTake();
      committed.take(1);
      committed.commit();
      expect(ch.byteSize()).toBe(50);
      putCommitted(ch, [sized("c", 50)]);
      expect(ch.byteSize()).toBe(100);
    });

    it("accepts a batch larger than byte_capacity into an empty channel only, so it cannot be refused forever", () => {
      const ch = byteBound(100);
      putCommitted(ch, [sized("a", 1)]);
      expect(() => putCommitted(ch, [sized("big", 150)])).toThrow(ChannelFullError);
      takeCommitted(ch);
      putCommitted(ch, [sized("big", 150)]);
      expect(ch.byteSize()).toBe(150);
      expect(() => putCommitted(ch, [sized("a", 1)])).toThrow(ChannelFullError);
      expect(takeCommitted(ch)).toHaveLength(1);
      expect(ch.byteSize()).toBe(0);
    });

    it("still bounds events: whichever limit is reached first refuses", () => {
      const ch = memoryChannel("mem", { capacity: 3, transaction_capacity: 3, byte_capacity: 1_000 });
      putCommitted(ch, numberedEvents(3));
      expect(() => putCommitted(ch, [event("")])).toThrow("(3 of 3 events)");
    });

    it("wakes whenWritable when a take commit frees bytes", async () => {
      const ch = byteBound(100);
      putCommitted(ch, [sized("a", 80), sized("b", 20)]);
      expect(() => putCommitted(ch, [sized("c", 50)])).toThrow(ChannelFullError);
      const writable = ch.whenWritable();
      expect(await isSettled(writable)).toBe(false);
      takeCommitted(ch, 1);
      expect(await isSettled(writable)).toBe(true);
      putCommitted(ch, [sized("c", 50)]);
      expect(ch.byteSize()).toBe(70);
    });

    /**
     * Random puts and takes of random body sizes against a model of the bytes held: every commit is
     * accepted exactly when the model says it fits (events and bytes, with the empty-channel exception),
     * and `byteSize` always equals the model.
     */
    it.each([1, 17, 4242, 90_001])("property: byte accounting matches a model (seed %i)", (seed) => {
      const rng = createPrng(seed);
      const capacity = 40;
      const byteCapacity = 600;
      const ch = memoryChannel("mem", { capacity, transaction_capacity: 8, byte_capacity: byteCapacity });
      const queued: number[] = []; // body sizes of committed, untaken events
      let held: number[] = []; // body sizes held by the open take
      let take = ch.beginTake();
      let accepted = 0;
      let refusals = 0;
      let oversized = 0;
      const sum = (sizes: readonly number[]) => sizes.reduce((a, b) => a + b, 0);
      let putShare = 0.45;
      for (let step = 0; step < 2_000; step++) {
        const where = `seed ${seed}, step ${step}`;
        // Phases where puts outpace takes (the channel fills) and the reverse (it empties).
        if (step % 200 === 0) putShare = rng.pick([0.15, 0.35, 0.6]);
        const r = rng.next();
        if (r < putShare) {
          const sizes = Array.from({ length: rng.int(1, 4) }, () => (rng.chance(0.05) ? rng.int(600, 900) : rng.int(0, 60)));
          const count = queued.length + held.length;
          const bytes = sum(queued) + sum(held);
          const fits = count + sizes.length <= capacity && (bytes + sum(sizes) <= byteCapacity || bytes === 0);
          const txn = ch.beginPut();
          txn.put(sizes.map((size) => sized("x", size)));
          if (fits) {
            txn.commit();
            queued.push(...sizes);
            accepted++;
            if (sum(sizes) > byteCapacity) oversized++;
          } else {
            expect(() => txn.commit(), where).toThrow(ChannelFullError);
            txn.rollback();
            refusals++;
          }
        } else if (rng.chance(0.6)) {
          const got = take.take(rng.int(0, 5));
          held.push(...queued.splice(0, got.length));
          expect(got.map((e) => e.body.length), where).toEqual(held.slice(held.length - got.length));
        } else if (rng.chance(0.8)) {
          take.commit();
          held = [];
          take = ch.beginTake();
        } else {
          take.rollback();
          queued.unshift(...held);
          held = [];
          take = ch.beginTake();
        }
        expect(ch.byteSize(), where).toBe(sum(queued) + sum(held));
        expect(ch.size(), where).toBe(queued.length + held.length);
      }
      // The run exercised what it claims to: accepted puts, refusals, and oversized batches let into an empty channel.
      expect(accepted).toBeGreaterThan(100);
      expect(refusals).toBeGreaterThan(10);
      expect(oversized).toBeGreaterThan(0);
    });
  });

  /**
   * Random interleavings of both sides against a model: the queue of committed events, the events held
   * by the open take, the events staged by the open put. Every take must return exactly the model's head
   * (so rolled-back events come first, in order), and at the end every committed event must have been
   * delivered exactly once, in commit order, and nothing else.
   */
  describe("property: no loss, no invention, FIFO with rollbacks re-delivered first", () => {
    // [seed, capacity, transaction_capacity]: tiny, tx above capacity, tx equal to capacity, small tx.
    const CASES: [number, number, number][] = [
      [1, 1, 1],
      [7, 3, 5],
      [42, 10, 4],
      [99, 25, 10],
      [2024, 40, 40],
      [31_337, 16, 3],
      [65_535, 8, 8],
      [123_456_789, 64, 20],
    ];
    const STEPS = 3_000;

    it.each(CASES)("seed %i, capacity %i, transaction_capacity %i", (seed, capacity, txCapacity) => {
      const rng = createPrng(seed);
      const effectiveTx = Math.min(txCapacity, capacity);
      const ch = channel(capacity, txCapacity);

      let nextId = 0;
      const queue: FlowEvent[] = []; // committed, not taken
      let staged: FlowEvent[] | undefined; // the open put's events
      let held: FlowEvent[] | undefined; // the open take's events
      let put = ch.beginPut();
      let take = ch.beginTake();
      const committedOrder: FlowEvent[] = []; // every event whose put committed, in commit order
      const delivered: FlowEvent[] = []; // every event whose take committed, in commit order
      const stats = { puts: 0, fullRefusals: 0, takeRollbacks: 0, takes: 0 };
      let putAttempts = 0;
      let takeAttempts = 0;

      const where = (step: number): string => `seed ${seed}, step ${step} (capacity ${capacity}, tx ${txCapacity})`;

      let putBias = 0.5;
      for (let step = 0; step < STEPS; step++) {
        // Phases where producers outpace consumers (so the channel fills) and the reverse (so it drains).
        if (step % 250 === 0) putBias = rng.pick([0.25, 0.5, 0.75]);
        const op = pickOp(rng, putBias, staged !== undefined, held !== undefined);
        switch (op) {
          case "put": {
            staged ??= [];
            const room = effectiveTx - staged.length;
            const n = rng.int(0, room + 2);
            const events = Array.from({ length: n }, () => event(`#${nextId++}`));
            if (n > room) {
              expect(() => put.put(events), where(step)).toThrow(TransactionStateError);
            } else {
              put.put(events);
              putAttempts += n;
              staged.push(...events);
            }
            break;
          }
          case "putCommit": {
            const events = staged ?? [];
            const fits = queue.length + (held?.length ?? 0) + events.length <= capacity;
            if (fits || events.length === 0) {
              put.commit();
              queue.push(...events);
              committedOrder.push(...events);
              stats.puts++;
            } else {
              expect(() => put.commit(), where(step)).toThrow(ChannelFullError);
              put.rollback();
              stats.fullRefusals++;
            }
            staged = undefined;
            put = ch.beginPut();
            break;
          }
          case "putRollback":
            put.rollback();
            staged = undefined;
            put = ch.beginPut();
            break;
          case "take": {
            held ??= [];
            const max = rng.int(0, effectiveTx + 3);
            const allowed = Math.min(max, effectiveTx - held.length);
            const expected = queue.splice(0, allowed);
            const got = take.take(max);
            expect(got, where(step)).toEqual(expected);
            for (let i = 0; i < got.length; i++) expect(got[i], where(step)).toBe(expected[i]);
            takeAttempts += got.length < allowed ? got.length + 1 : got.length;
            held.push(...got);
            stats.takes++;
            break;
          }
          case "takeCommit":
            take.commit();
            delivered.push(...(held ?? []));
            held = undefined;
            take = ch.beginTake();
            break;
          case "takeRollback":
            take.rollback();
            queue.unshift(...(held ?? []));
            if ((held?.length ?? 0) > 0) stats.takeRollbacks++;
            held = undefined;
            take = ch.beginTake();
            break;
        }
        expect(ch.size(), where(step)).toBe(queue.length + (held?.length ?? 0));
        expect(ch.size(), where(step)).toBeLessThanOrEqual(capacity);
        expect(ch.counter.EventPutSuccessCount, where(step)).toBe(committedOrder.length);
        expect(ch.counter.EventTakeSuccessCount, where(step)).toBe(delivered.length);
        expect(ch.counter.EventPutAttemptCount, where(step)).toBe(putAttempts);
        expect(ch.counter.EventTakeAttemptCount, where(step)).toBe(takeAttempts);
      }

      // Finish: abandon the open put, give back the open take, then drain.
      put.rollback();
      take.rollback();
      delivered.push(...takeAll(ch));
      expect(ch.size()).toBe(0);

      // Nothing lost or invented, each exactly once, in commit order (which is id order).
      expect(delivered.length).toBe(committedOrder.length);
      for (let i = 0; i < delivered.length; i++) expect(delivered[i], `delivery #${i}`).toBe(committedOrder[i]);
      expect(new Set(delivered).size).toBe(delivered.length);
      const ids = delivered.map((e) => Number(e.body.toString().slice(1)));
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);

      // The run exercised what it claims to: commits, full refusals and rolled-back takes.
      expect(stats.puts).toBeGreaterThan(50);
      expect(stats.fullRefusals).toBeGreaterThan(0);
      expect(stats.takeRollbacks).toBeGreaterThan(10);
      expect(delivered.length).toBeGreaterThan(50);
    });
  });
});

type Op = "put" | "putCommit" | "putRollback" | "take" | "takeCommit" | "takeRollback";

function pickOp(rng: Prng, putBias: number, putOpen: boolean, takeOpen: boolean): Op {
  if (rng.chance(putBias)) {
    // Put side: stage more, or finish the open put (commit far more often than roll back).
    if (!putOpen || rng.chance(0.4)) return "put";
    return rng.chance(0.85) ? "putCommit" : "putRollback";
  }
  if (!takeOpen || rng.chance(0.4)) return "take";
  return rng.chance(0.7) ? "takeCommit" : "takeRollback";
}
