import { describe, expect, it } from "vitest";
import { ChannelCounter, SinkCounter, SourceCounter } from "../../../runtime/metrics/counters";
import { forEachAttribute, type AttributeValue } from "../../../runtime/metrics/counter-attributes";
import { TcpSourceCounter } from "../../../runtime/sources/tcp/tcp-source";

function attributes(counter: object): [string, AttributeValue][] {
  const out: [string, AttributeValue][] = [];
  forEachAttribute(counter, (name, value) => out.push([name, value]));
  return out;
}

describe("forEachAttribute", () => {
  it("reads a counter's fields in declaration order", () => {
    const counter = new SourceCounter();
    counter.EventReceivedCount = 7;
    expect(attributes(counter)).toEqual([
      ["EventReceivedCount", 7],
      ["EventAcceptedCount", 0],
      ["OpenConnectionCount", 0],
      ["EventReadFail", 0],
      ["ChannelWriteFail", 0],
      ["GenericProcessingFail", 0],
      ["StartTime", 0],
      ["StopTime", 0],
    ]);
  });

  it("includes getters, such as ChannelFillPercentage, and constructor fields, such as ChannelCapacity", () => {
    const counter = new ChannelCounter(200);
    counter.ChannelSize = 50;
    const read = new Map(attributes(counter));
    expect(read.get("ChannelCapacity")).toBe(200);
    expect(read.get("ChannelFillPercentage")).toBe(25);
    expect([...read.keys()].sort()).toEqual(
      ["ChannelCapacity", "ChannelFillPercentage", "ChannelSize", "EventPutAttemptCount", "EventPutSuccessCount", "EventTakeAttemptCount", "EventTakeSuccessCount", "StartTime", "StopTime"].sort(),
    );
  });

  it("includes a subclass's fields and inherited getters, once each", () => {
    class Extended extends ChannelCounter {
      Unhealthy = false;
      get Doubled(): number {
        return this.ChannelSize * 2;
      }
    }
    const counter = new Extended(10);
    counter.ChannelSize = 4;
    const names = attributes(counter).map(([name]) => name);
    expect(names.filter((name) => name === "ChannelFillPercentage")).toHaveLength(1);
    expect(Object.fromEntries(attributes(counter))).toMatchObject({ Unhealthy: false, Doubled: 8, ChannelFillPercentage: 40 });
    expect(attributes(new TcpSourceCounter()).map(([name]) => name)).toContain("LineTruncatedCount");
  });

  it("skips camelCase members and values that are not numbers or booleans", () => {
    class Odd extends SinkCounter {
      internalState = 5;
      Label = "text";
      Nested = { a: 1 };
      get helper(): number {
        return 1;
      }
    }
    const names = attributes(new Odd()).map(([name]) => name);
    expect(names).not.toContain("internalState");
    expect(names).not.toContain("Label");
    expect(names).not.toContain("Nested");
    expect(names).not.toContain("helper");
    expect(names).toContain("EventDrainSuccessCount");
  });

  it("reads getters fresh on every call", () => {
    const counter = new ChannelCounter(4);
    counter.ChannelSize = 1;
    expect(new Map(attributes(counter)).get("ChannelFillPercentage")).toBe(25);
    counter.ChannelSize = 2;
    expect(new Map(attributes(counter)).get("ChannelFillPercentage")).toBe(50);
  });
});
