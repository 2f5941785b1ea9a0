import { describe, expect, it } from "vitest";
import { ChannelCounter, SinkCounter } from "../../../runtime/metrics/counters";
import { flumeString, javaDoubleString, renderFlumeJson } from "../../../runtime/metrics/flume-json";
import { monitoredComponents } from "../../../runtime/metrics/monitored-components";
import { TcpSourceCounter } from "../../../runtime/sources/tcp/tcp-source";

function sampleTopology() {
  const source = new TcpSourceCounter();
  source.EventReceivedCount = 1200;
  source.EventAcceptedCount = 1100;
  source.StartTime = 1_344_882_233_070;
  const channel = new ChannelCounter(600);
  channel.ChannelSize = 300;
  channel.EventPutSuccessCount = 468_085;
  const sink = new SinkCounter();
  sink.EventDrainSuccessCount = 458_200;
  return monitoredComponents({
    sources: [{ name: "r1", counter: source }],
    channels: [{ name: "c1", counter: channel }],
    sinkRunners: [{ sink: { name: "k1", counter: sink } }],
  });
}

describe("Flume JSON", () => {
  it("has Flume's shape: TYPE.name keys, every attribute and Type, all values strings", () => {
    const document = JSON.parse(renderFlumeJson(sampleTopology())) as Record<string, Record<string, unknown>>;
    expect(Object.keys(document)).toEqual(["SOURCE.r1", "CHANNEL.c1", "SINK.k1"]);
    for (const attributes of Object.values(document)) {
      for (const [name, value] of Object.entries(attributes)) expect(typeof value, name).toBe("string");
    }
    expect(document["SOURCE.r1"]).toEqual({
      Type: "SOURCE",
      EventReceivedCount: "1200",
      EventAcceptedCount: "1100",
      OpenConnectionCount: "0",
      EventReadFail: "0",
      ChannelWriteFail: "0",
      GenericProcessingFail: "0",
      StartTime: "1344882233070",
      StopTime: "0",
      LineTruncatedCount: "0",
      LineDiscardedCount: "0",
      ConnectionRejectedCount: "0",
    });
    expect(document["CHANNEL.c1"]).toEqual({
      Type: "CHANNEL",
      ChannelCapacity: "600",
      ChannelSize: "300",
      ChannelFillPercentage: "50.0",
      EventPutAttemptCount: "0",
      EventPutSuccessCount: "468085",
      EventTakeAttemptCount: "0",
      EventTakeSuccessCount: "0",
      StartTime: "0",
      StopTime: "0",
    });
    expect(document["SINK.k1"]).toMatchObject({ Type: "SINK", EventDrainSuccessCount: "458200", EventWriteFail: "0", ChannelReadFail: "0", BatchCompleteCount: "0" });
    expect(Object.keys(document["SINK.k1"] ?? {})).toHaveLength(13);
  });

  it("is an empty object for an empty topology", () => {
    expect(renderFlumeJson(monitoredComponents({ sources: [], channels: [], sinkRunners: [] }))).toBe("{}");
  });

  it("writes values as Java's toString does", () => {
    expect(flumeString("EventReceivedCount", 42)).toBe("42");
    expect(flumeString("Open", true)).toBe("true");
    expect(flumeString("Unhealthy", false)).toBe("false");
    expect(flumeString("ChannelFillPercentage", 0)).toBe("0.0");
    expect(flumeString("ChannelFillPercentage", 38.90466666666667)).toBe("38.90466666666667");
    expect(flumeString("ChannelFillPercentage", Number.MAX_VALUE)).toBe("1.7976931348623157E308");
    expect(flumeString("SomeNewRatio", 0.5)).toBe("0.5");
  });

  it.each([
    [0, "0.0"],
    [-0, "-0.0"],
    [1, "1.0"],
    [100, "100.0"],
    [0.001, "0.001"],
    [0.0001, "1.0E-4"],
    [1234567.5, "1234567.5"],
    [1e7, "1.0E7"],
    [12345678.9, "1.23456789E7"],
    [Number.NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ])("javaDoubleString(%d) is %s", (value, expected) => {
    expect(javaDoubleString(value)).toBe(expected);
  });
});
