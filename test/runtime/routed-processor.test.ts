import { describe, expect, it } from "vitest";
import type { Interceptor } from "../../runtime/core/component";
import { ChannelFullError } from "../../runtime/core/errors";
import type { FlowEvent } from "../../runtime/core/event";
import { RoutedProcessor, type Route } from "../../runtime/processors/routed-processor";
import { putCommitted, takeAll, takeCommitted } from "../helpers/channel-io";
import { bodies, event } from "../helpers/events";
import { isSettled } from "../helpers/is-settled";
import { memoryChannel } from "../helpers/memory-channel";
import { SpyChannel } from "../helpers/spy-channel";

/** Events `level:n` with header `level`. */
function logs(...specs: string[]): FlowEvent[] {
  return specs.map((spec) => event(spec, { level: spec.split(":")[0] as string }));
}

/**
 * Written the way the code generator writes a route (see the RoutedProcessor comment):
 *   when header.level in ["ERROR", "FATAL"] -> hot, archive
 *   when body ~ /timeout/                   -> archive, optional debug
 *   else                                    -> archive
 */
function generatedStyleRoute(): Route {
  const route_1 = /timeout/;
  return (events, required, optional) => {
    const hot = required[0]!, archive = required[1]!, debug = optional[0]!;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const level = event.headers["level"];
      if (level === "ERROR" || level === "FATAL") {
        hot.push(event);
        archive.push(event);
      } else if (route_1.test(event.body.toString())) {
        archive.push(event);
        debug.push(event);
      } else {
        archive.push(event);
      }
    }
  };
}

describe("RoutedProcessor", () => {
  it("puts each event into the channels its route chose, keeping the batch's order per channel", () => {
    const hot = memoryChannel("hot");
    const archive = memoryChannel("archive");
    const debug = memoryChannel("debug");
    const processor = new RoutedProcessor({ required: [hot, archive], optional: [debug], interceptors: [], route: generatedStyleRoute() });
    processor.process(logs("INFO:1", "ERROR:2", "INFO:timeout 3", "FATAL:4", "WARN:5"));
    expect(bodies(takeAll(hot))).toEqual(["ERROR:2", "FATAL:4"]);
    expect(bodies(takeAll(archive))).toEqual(["INFO:1", "ERROR:2", "INFO:timeout 3", "FATAL:4", "WARN:5"]);
    expect(bodies(takeAll(debug))).toEqual(["INFO:timeout 3"]);
  });

  it("opens no transaction on a channel that got no events", () => {
    const hot = new SpyChannel(memoryChannel("hot"));
    const archive = new SpyChannel(memoryChannel("archive"));
    const debug = new SpyChannel(memoryChannel("debug"));
    const processor = new RoutedProcessor({ required: [hot, archive], optional: [debug], route: generatedStyleRoute() });
    processor.process(logs("INFO:1", "WARN:2"));
    expect([hot.putTransactions, archive.putTransactions, debug.putTransactions]).toEqual([0, 1, 0]);
    expect(hot.counter.EventPutAttemptCount).toBe(0);
  });

  it("drops the events its route sends nowhere", () => {
    const errors = memoryChannel("errors");
    const processor = new RoutedProcessor({
      required: [errors],
      route: (events, required) => {
        for (const e of events) if (e.headers["level"] === "ERROR") required[0]!.push(e);
      },
    });
    processor.process(logs("INFO:1", "ERROR:2"));
    expect(bodies(takeAll(errors))).toEqual(["ERROR:2"]);
  });

  it("puts into no required channel when one refuses, and duplicates nothing on the retry", () => {
    const hot = memoryChannel("hot", { capacity: 2, transaction_capacity: 2 });
    const archive = memoryChannel("archive");
    const processor = new RoutedProcessor({ required: [hot, archive], optional: [memoryChannel("debug")], route: generatedStyleRoute() });
    putCommitted(hot, logs("ERROR:old"));
    const batch = logs("INFO:1", "ERROR:2", "FATAL:3"); // hot needs 2 more, has room for 1
    let refused: unknown;
    try {
      processor.process(batch);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ChannelFullError);
    expect((refused as ChannelFullError).channel).toBe("hot");
    expect(archive.size()).toBe(0);
    expect(hot.size()).toBe(1);
    takeCommitted(hot);
    processor.process(batch);
    expect(bodies(takeAll(hot))).toEqual(["ERROR:2", "FATAL:3"]);
    expect(bodies(takeAll(archive))).toEqual(["INFO:1", "ERROR:2", "FATAL:3"]);
  });

  it("whenWritable resolves when the refusing channel frees space", async () => {
    const hot = memoryChannel("hot", { capacity: 1, transaction_capacity: 1 });
    const archive = memoryChannel("archive");
    const processor = new RoutedProcessor({ required: [hot, archive], optional: [memoryChannel("debug")], route: generatedStyleRoute() });
    processor.process(logs("ERROR:1"));
    expect(() => processor.process(logs("ERROR:2"))).toThrow(ChannelFullError);
    const writable = processor.whenWritable();
    takeCommitted(archive);
    expect(await isSettled(writable)).toBe(false);
    takeCommitted(hot);
    expect(await isSettled(writable)).toBe(true);
  });

  it("hands the route the same per-channel arrays every batch, empty each time (no allocation per batch)", () => {
    const seen: { required: FlowEvent[][]; lengths: number[] }[] = [];
    const processor = new RoutedProcessor({
      required: [memoryChannel("a"), memoryChannel("b")],
      optional: [memoryChannel("c")],
      route: (events, required, optional) => {
        seen.push({ required: [...required], lengths: [...required, ...optional].map((batch) => batch.length) });
        for (const e of events) {
          required[0]!.push(e);
          optional[0]!.push(e);
        }
      },
    });
    processor.process(logs("INFO:1", "INFO:2"));
    processor.process(logs("INFO:3"));
    expect(seen).toHaveLength(2);
    expect(seen[0]!.lengths).toEqual([0, 0, 0]);
    expect(seen[1]!.lengths).toEqual([0, 0, 0]);
    expect(seen[1]!.required[0]).toBe(seen[0]!.required[0]);
    expect(seen[1]!.required[1]).toBe(seen[0]!.required[1]);
    // Emptied after the put too, so they keep no events alive between batches.
    expect(seen[1]!.required[0]).toEqual([]);
  });

  it("empties its arrays when the route throws, so the next batch starts clean", () => {
    const channel = memoryChannel("a");
    let fail = true;
    const processor = new RoutedProcessor({
      required: [channel],
      route: (events, required) => {
        for (const e of events) required[0]!.push(e);
        if (fail) throw new Error("route bug");
      },
    });
    expect(() => processor.process(logs("INFO:1"))).toThrow("route bug");
    fail = false;
    processor.process(logs("INFO:2"));
    expect(bodies(takeAll(channel))).toEqual(["INFO:2"]);
  });

  it("runs interceptors before routing, and an empty result is a no-op", () => {
    const channel = new SpyChannel(memoryChannel("a"));
    const setLevel: Interceptor = {
      name: "level",
      intercept(events) {
        for (const e of events) e.headers["level"] = e.body.toString().startsWith("!") ? "ERROR" : "INFO";
        return events.filter((e) => e.body.length > 0);
      },
    };
    let routed = 0;
    const processor = new RoutedProcessor({
      required: [channel],
      interceptors: [setLevel],
      route: (events, required) => {
        routed++;
        for (const e of events) if (e.headers["level"] === "ERROR") required[0]!.push(e);
      },
    });
    processor.process([event("!boom"), event("fine"), event("")]);
    expect(bodies(takeAll(channel))).toEqual(["!boom"]);
    processor.process([event("")]);
    expect(routed).toBe(1);
    expect(channel.putTransactions).toBe(1);
  });

  it("allows a channel that is required for some events and optional for others", () => {
    const shared = memoryChannel("shared", { capacity: 3, transaction_capacity: 3 });
    const processor = new RoutedProcessor({
      required: [shared],
      optional: [shared],
      route: (events, required, optional) => {
        for (const e of events) (e.headers["level"] === "ERROR" ? required[0]! : optional[0]!).push(e);
      },
    });
    processor.process(logs("INFO:1", "ERROR:2", "INFO:3", "INFO:4"));
    // Required first (1 event), then the optional batch of 3 does not fit in the remaining 2 and is dropped.
    expect(bodies(takeAll(shared))).toEqual(["ERROR:2"]);
    expect(processor.counter.OptionalEventDropCount).toBe(3);
    processor.process(logs("INFO:5", "ERROR:6"));
    expect(bodies(takeAll(shared))).toEqual(["ERROR:6", "INFO:5"]);
  });
});
