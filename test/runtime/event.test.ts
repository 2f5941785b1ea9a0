import { describe, expect, it } from "vitest";
import { ChannelFullError } from "../../runtime/core/errors";
import { FlowEvent } from "../../runtime/core/event";
import { ReplicatingProcessor } from "../../runtime/processors/replicating-processor";
import { RoutedProcessor } from "../../runtime/processors/routed-processor";
import { takeAll } from "../helpers/channel-io";
import { memoryChannel } from "../helpers/memory-channel";

/** An event whose body counts how often it is decoded (what `bodyText` costs when nothing is cached). */
function countingEvent(text: string): { event: FlowEvent; decodes: () => number } {
  const body = Buffer.from(text, "utf8");
  let count = 0;
  const decode = body.toString.bind(body);
  Object.defineProperty(body, "toString", {
    value: (...args: Parameters<Buffer["toString"]>) => {
      count++;
      return decode(...args);
    },
  });
  return { event: new FlowEvent(undefined, body), decodes: () => count };
}

describe("FlowEvent headers", () => {
  it("has no headers object until one is read, then keeps the one it made", () => {
    const event = new FlowEvent(undefined, Buffer.from("x"));
    const headers = event.headers;
    expect(headers).toEqual({});
    headers["level"] = "ERROR";
    expect(event.headers).toBe(headers);
    expect(event.headers["level"]).toBe("ERROR");
    expect(JSON.stringify(event.headers)).toBe('{"level":"ERROR"}');
  });

  it("takes the headers it is given, and a new headers object when assigned", () => {
    const given = { host: "a" };
    const event = new FlowEvent(given, Buffer.from("x"));
    expect(event.headers).toBe(given);
    event.headers = { host: "b" };
    expect(event.headers).toEqual({ host: "b" });
    const fresh = new FlowEvent(undefined, Buffer.from("y"));
    fresh.headers = { level: "INFO" };
    expect(fresh.headers).toEqual({ level: "INFO" });
  });
});

describe("FlowEvent text", () => {
  it("decodes the body once however often it is read, and again after forgetText or a new body", () => {
    const { event, decodes } = countingEvent("héllo");
    expect(event.bodyText()).toBe("héllo");
    expect(event.bodyText()).toBe("héllo");
    expect(decodes()).toBe(1);
    event.forgetText();
    expect(event.bodyText()).toBe("héllo");
    expect(decodes()).toBe(2);
    event.body = Buffer.from("other");
    expect(event.bodyText()).toBe("other");
  });

  it("is dropped once a routed batch is in its channels, and kept for the retry of a refused one", () => {
    const channel = memoryChannel("c", { capacity: 2, transaction_capacity: 2 });
    const processor = new RoutedProcessor({
      required: [channel],
      optional: [],
      route(events, required) {
        for (let i = 0; i < events.length; i++) if (/a/.test(events[i]!.bodyText())) required[0]!.push(events[i]!);
      },
    });
    const first = [countingEvent("a1"), countingEvent("a2")];
    processor.process(first.map((e) => e.event));
    const refused = countingEvent("a3");
    expect(() => processor.process([refused.event])).toThrow(ChannelFullError);
    // The refused event keeps its text: the retry routes it without decoding again.
    const taken = takeAll(channel);
    expect(taken.length).toBe(2);
    expect(taken[0]).toBe(first[0]!.event);
    expect(taken[1]).toBe(first[1]!.event);
    processor.process([refused.event]);
    expect(refused.decodes()).toBe(1);
    // Put events no longer hold their text: reading it decodes again.
    for (const { event, decodes } of first) {
      expect(event.bodyText()).toMatch(/^a\d$/);
      expect(decodes()).toBe(2);
    }
    refused.event.bodyText();
    expect(refused.decodes()).toBe(2);
  });

  it("is dropped once a replicated batch is in its channels", () => {
    const channel = memoryChannel("c");
    const reads: string[] = [];
    const processor = new ReplicatingProcessor({
      required: [channel],
      optional: [],
      interceptors: [
        {
          name: "reader",
          intercept(events) {
            for (const event of events) reads.push(event.bodyText());
            return events;
          },
        },
      ],
    });
    const one = countingEvent("b1");
    processor.process([one.event]);
    expect(reads).toEqual(["b1"]);
    expect(one.decodes()).toBe(1);
    expect(takeAll(channel)[0]!.bodyText()).toBe("b1");
    expect(one.decodes()).toBe(2);
  });
});
