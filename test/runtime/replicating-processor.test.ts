import { describe, expect, it } from "vitest";
import type { Interceptor } from "../../runtime/core/component";
import { ChannelFullError, TransactionStateError } from "../../runtime/core/errors";
import type { FlowEvent } from "../../runtime/core/event";
import { ReplicatingProcessor } from "../../runtime/processors/replicating-processor";
import { putCommitted, takeAll, takeCommitted } from "../helpers/channel-io";
import { bodies, event, numberedEvents } from "../helpers/events";
import { isSettled } from "../helpers/is-settled";
import { memoryChannel } from "../helpers/memory-channel";
import { recordingLogger } from "../helpers/silent-logger";
import { SpyChannel } from "../helpers/spy-channel";

function refusal(run: () => void): ChannelFullError {
  try {
    run();
  } catch (error) {
    if (error instanceof ChannelFullError) return error;
    throw error;
  }
  throw new Error("expected a ChannelFullError, nothing was thrown");
}

/** An interceptor that drops events whose body starts with `prefix`, shortening the array in place. */
function dropInPlace(prefix: string, calls: string[] = []): Interceptor {
  return {
    name: `drop-${prefix}`,
    intercept(events: FlowEvent[]): FlowEvent[] {
      calls.push(`drop-${prefix}:${events.length}`);
      let kept = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i] as FlowEvent;
        if (!e.body.toString().startsWith(prefix)) events[kept++] = e;
      }
      events.length = kept;
      return events;
    },
  };
}

describe("ReplicatingProcessor", () => {
  it("puts every event into every required channel, in order", () => {
    const a = memoryChannel("a");
    const b = memoryChannel("b");
    const processor = new ReplicatingProcessor({ required: [a, b], optional: [], interceptors: [] });
    const events = numberedEvents(5);
    processor.process(events);
    expect(bodies(takeAll(a))).toEqual(bodies(events));
    expect(bodies(takeAll(b))).toEqual(bodies(events));
  });

  it("puts the batch into no required channel when one refuses, rethrowing its ChannelFullError", () => {
    const a = memoryChannel("a", { capacity: 100, transaction_capacity: 10 });
    const b = memoryChannel("b", { capacity: 12, transaction_capacity: 10 });
    const c = memoryChannel("c", { capacity: 100, transaction_capacity: 10 });
    const processor = new ReplicatingProcessor({ required: [a, b, c] });
    processor.process(numberedEvents(10, "first"));
    const error = refusal(() => processor.process(numberedEvents(10, "second"))); // b: 10 + 10 > 12
    expect(error.channel).toBe("b");
    expect(error.message).toContain("`b` is full");
    // Flume would have committed `a` before `b` refused; here nothing moved anywhere.
    for (const channel of [a, b, c]) {
      expect(channel.size(), channel.name).toBe(10);
      expect(channel.counter.EventPutSuccessCount, channel.name).toBe(10);
    }
  });

  it("duplicates nothing when the source retries a refused batch after room was made", () => {
    const a = memoryChannel("a", { capacity: 100, transaction_capacity: 10 });
    const b = memoryChannel("b", { capacity: 10, transaction_capacity: 10 });
    const processor = new ReplicatingProcessor({ required: [a, b] });
    processor.process(numberedEvents(10, "x"));
    const retry = numberedEvents(5, "y");
    expect(() => processor.process(retry)).toThrow(ChannelFullError);
    expect(() => processor.process(retry)).toThrow(ChannelFullError);
    takeCommitted(b, 5);
    processor.process(retry);
    expect(bodies(takeAll(a))).toEqual([...bodies(numberedEvents(10, "x")), ...bodies(retry)]);
    expect(bodies(takeAll(b))).toEqual([...bodies(numberedEvents(5, "x", 5)), ...bodies(retry)]);
  });

  it("rolls every required channel back on an error other than full, and rethrows it", () => {
    const a = memoryChannel("a", { capacity: 100, transaction_capacity: 10 });
    const b = memoryChannel("b", { capacity: 100, transaction_capacity: 4 });
    const processor = new ReplicatingProcessor({ required: [a, b] });
    expect(() => processor.process(numberedEvents(5))).toThrow(TransactionStateError);
    expect(a.size()).toBe(0);
    expect(b.size()).toBe(0);
    processor.process(numberedEvents(4)); // the channels are usable afterwards
    expect(a.size()).toBe(4);
    expect(b.size()).toBe(4);
  });

  describe("whenWritable", () => {
    it("resolves when the channel that refused frees space, not when another one does", async () => {
      const a = memoryChannel("a", { capacity: 5, transaction_capacity: 5 });
      const b = memoryChannel("b", { capacity: 5, transaction_capacity: 5 });
      const processor = new ReplicatingProcessor({ required: [a, b] });
      processor.process(numberedEvents(3));
      putCommitted(b, numberedEvents(2, "only-b"));
      expect(refusal(() => processor.process(numberedEvents(2, "z"))).channel).toBe("b");
      const writable = processor.whenWritable();
      takeCommitted(a, 3);
      expect(await isSettled(writable)).toBe(false);
      takeCommitted(b, 2);
      expect(await isSettled(writable)).toBe(true);
      processor.process(numberedEvents(2, "z"));
      expect(a.size()).toBe(2);
      expect(b.size()).toBe(5);
    });

    it("resolves at once when the last batch was not refused", async () => {
      const processor = new ReplicatingProcessor({ required: [memoryChannel("a")] });
      expect(await isSettled(processor.whenWritable())).toBe(true);
      processor.process(numberedEvents(1));
      expect(await isSettled(processor.whenWritable())).toBe(true);
    });
  });

  describe("optional channels", () => {
    it("get the batch after the required ones; a full one is counted and logged at debug, never fails the put", () => {
      const { log, lines } = recordingLogger();
      const required = memoryChannel("req");
      const spare = memoryChannel("spare", { capacity: 3, transaction_capacity: 3 });
      const processor = new ReplicatingProcessor({ required: [required], optional: [spare], log });
      processor.process(numberedEvents(3, "a"));
      processor.process(numberedEvents(2, "b")); // spare is full: dropped there only
      expect(bodies(takeAll(required))).toEqual([...bodies(numberedEvents(3, "a")), ...bodies(numberedEvents(2, "b"))]);
      expect(bodies(takeAll(spare))).toEqual(bodies(numberedEvents(3, "a")));
      expect(processor.counter.OptionalChannelWriteFail).toBe(1);
      expect(processor.counter.OptionalEventDropCount).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("level=debug");
      expect(lines[0]).toContain("channel=spare");
      expect(lines[0]).toContain("events=2");
      processor.process(numberedEvents(1, "c")); // room again: not retried, only new batches go in
      expect(bodies(takeAll(spare))).toEqual(["c0"]);
    });

    it("are not attempted when a required channel refuses", () => {
      const required = memoryChannel("req", { capacity: 2, transaction_capacity: 2 });
      const spare = new SpyChannel(memoryChannel("spare"));
      const processor = new ReplicatingProcessor({ required: [required], optional: [spare] });
      processor.process(numberedEvents(2));
      expect(() => processor.process(numberedEvents(1, "x"))).toThrow(ChannelFullError);
      expect(spare.putTransactions).toBe(1);
      expect(spare.size()).toBe(2);
    });

    it("log other failures at warn, and still never fail the put", () => {
      const { log, lines } = recordingLogger();
      const spare = memoryChannel("spare", { capacity: 100, transaction_capacity: 2 });
      const processor = new ReplicatingProcessor({ required: [memoryChannel("req")], optional: [spare], log });
      processor.process(numberedEvents(3)); // more than spare's transaction capacity
      expect(spare.size()).toBe(0);
      expect(processor.counter.OptionalChannelWriteFail).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("level=warn");
      expect(lines[0]).toContain("transaction_capacity 2");
    });

    it("may be the only channels", () => {
      const spare = memoryChannel("spare", { capacity: 1, transaction_capacity: 1 });
      const processor = new ReplicatingProcessor({ required: [], optional: [spare] });
      processor.process([event("a")]);
      processor.process([event("b")]);
      expect(bodies(takeAll(spare))).toEqual(["a"]);
      expect(processor.counter.OptionalEventDropCount).toBe(1);
    });
  });

  describe("interceptors", () => {
    it("run in order before the put, on every batch", () => {
      const calls: string[] = [];
      const channel = memoryChannel("c");
      const tag: Interceptor = {
        name: "tag",
        intercept(events) {
          calls.push(`tag:${events.length}`);
          for (const e of events) e.headers["seen"] = "yes";
          return events;
        },
      };
      const processor = new ReplicatingProcessor({ required: [channel], interceptors: [dropInPlace("debug", calls), tag] });
      processor.process([event("debug 1"), event("info 1"), event("debug 2"), event("info 2")]);
      expect(calls).toEqual(["drop-debug:4", "tag:2"]);
      const taken = takeAll(channel);
      expect(bodies(taken)).toEqual(["info 1", "info 2"]);
      for (const e of taken) expect(e.headers).toEqual({ seen: "yes" });
    });

    it("never shorten or reorder the caller's array", () => {
      const channel = memoryChannel("c");
      const processor = new ReplicatingProcessor({ required: [channel], interceptors: [dropInPlace("x")] });
      const events = [event("x1"), event("a"), event("x2"), event("b")];
      const before = [...events];
      processor.process(events);
      expect(events).toEqual(before);
      expect(bodies(takeAll(channel))).toEqual(["a", "b"]);
    });

    it("that keep every event run on the caller's array; the first that may drop gets a copy", () => {
      const channel = memoryChannel("c");
      const seen: FlowEvent[][] = [];
      const tag = (name: string): Interceptor => ({
        name,
        keepsEveryEvent: true,
        intercept(events) {
          seen.push(events);
          for (const e of events) e.headers[name] = "yes";
          return events;
        },
      });
      const processor = new ReplicatingProcessor({ required: [channel], interceptors: [tag("a"), tag("b"), dropInPlace("x"), tag("c")] });
      const events = [event("x1"), event("k1"), event("x2"), event("k2")];
      const before = [...events];
      processor.process(events);
      expect(seen[0]).toBe(events);
      expect(seen[1]).toBe(events);
      expect(seen[2]).not.toBe(events);
      expect(events).toEqual(before);
      const taken = takeAll(channel);
      expect(bodies(taken)).toEqual(["k1", "k2"]);
      for (const e of taken) expect(e.headers).toEqual({ a: "yes", b: "yes", c: "yes" });
    });

    it("may return a new array", () => {
      const channel = memoryChannel("c");
      const reverse: Interceptor = { name: "reverse", intercept: (events) => [...events].reverse() };
      new ReplicatingProcessor({ required: [channel], interceptors: [reverse] }).process(numberedEvents(3));
      expect(bodies(takeAll(channel))).toEqual(["e2", "e1", "e0"]);
    });

    it("make an empty batch a no-op: no transaction is opened", () => {
      const a = new SpyChannel(memoryChannel("a"));
      const b = new SpyChannel(memoryChannel("b"));
      const processor = new ReplicatingProcessor({ required: [a], optional: [b], interceptors: [dropInPlace("")] });
      processor.process(numberedEvents(3));
      processor.process([]);
      expect(a.putTransactions).toBe(0);
      expect(b.putTransactions).toBe(0);
      expect(a.counter.EventPutAttemptCount).toBe(0);
    });

    it("run again on a retried batch (they see the same events each attempt)", () => {
      const channel = memoryChannel("c", { capacity: 2, transaction_capacity: 2 });
      let runs = 0;
      const count: Interceptor = {
        name: "count",
        intercept(events) {
          runs++;
          return events;
        },
      };
      const processor = new ReplicatingProcessor({ required: [channel], interceptors: [count] });
      processor.process(numberedEvents(2));
      const batch = numberedEvents(2, "r");
      expect(() => processor.process(batch)).toThrow(ChannelFullError);
      takeAll(channel);
      processor.process(batch);
      expect(runs).toBe(3);
      expect(bodies(takeAll(channel))).toEqual(["r0", "r1"]);
    });
  });

  it("refuses a channel listed twice in the same list", () => {
    const a = memoryChannel("a");
    expect(() => new ReplicatingProcessor({ required: [a, a] })).toThrow("channel `a` is listed twice among the required channels");
    expect(() => new ReplicatingProcessor({ required: [], optional: [a, a] })).toThrow(/listed twice among the optional/);
  });

  it("counts a commit that fails after others committed (a durable channel's disk error) and rethrows it", () => {
    const { log, lines } = recordingLogger();
    const a = memoryChannel("a");
    const b = new SpyChannel(memoryChannel("b"));
    const c = memoryChannel("c");
    const processor = new ReplicatingProcessor({ required: [a, b, c], log });
    b.failCommitsWith = new Error("EIO: disk failed");
    expect(() => processor.process(numberedEvents(2))).toThrow("EIO: disk failed");
    // ensureRoom passed everywhere, so `a` had committed: the one case a retry still duplicates.
    expect(a.size()).toBe(2);
    expect(b.size()).toBe(0);
    expect(c.size()).toBe(0);
    expect(processor.counter.PartialCommitCount).toBe(1);
    expect(lines.some((line) => line.includes("level=warn") && line.includes("channel=b") && line.includes("committed=1"))).toBe(true);
    b.failCommitsWith = undefined;
    processor.process(numberedEvents(2)); // c's transaction was rolled back: the channel works
    expect(c.size()).toBe(2);
  });
});

describe("ReplicatingProcessor.whenDurable", () => {
  it("resolves once every required channel says what it committed is durable", async () => {
    const slow = memoryChannel("slow");
    let release: () => void = () => undefined;
    const pending = new Promise<void>((resolve) => (release = resolve));
    slow.whenDurable = () => pending;
    const fast = memoryChannel("c");
    const processor = new ReplicatingProcessor({ required: [slow, fast] });
    processor.process(numberedEvents(3));
    const durable = processor.whenDurable();
    expect(await isSettled(durable)).toBe(false);
    release();
    await durable;
    expect(bodies(takeAll(fast))).toHaveLength(3);
  });

  it("rejects when a required channel cannot make its commits durable", async () => {
    const broken = memoryChannel("c");
    broken.whenDurable = () => Promise.reject(new Error("EIO: fsync failed"));
    const processor = new ReplicatingProcessor({ required: [memoryChannel("c"), broken] });
    processor.process(numberedEvents(1));
    await expect(processor.whenDurable()).rejects.toThrow("EIO");
  });
});
