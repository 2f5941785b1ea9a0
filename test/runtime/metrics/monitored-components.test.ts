import { describe, expect, it } from "vitest";
import { ChannelCounter, SinkCounter, SourceCounter } from "../../../runtime/metrics/counters";
import { renderFlumeJson } from "../../../runtime/metrics/flume-json";
import { monitoredComponents } from "../../../runtime/metrics/monitored-components";
import { renderPrometheus } from "../../../runtime/metrics/prometheus-text";
import { parsePrometheusText, sampleValue } from "../../helpers/prometheus-text";

describe("monitoredComponents", () => {
  it("lists sources, channels and sinks with Flume's types, in topology order", () => {
    const source = new SourceCounter();
    const channels = [new ChannelCounter(1), new ChannelCounter(2)];
    const sink = new SinkCounter();
    const components = monitoredComponents({
      sources: [{ name: "r1", counter: source }],
      channels: [
        { name: "c1", counter: channels[0] as ChannelCounter },
        { name: "c2", counter: channels[1] as ChannelCounter },
      ],
      sinkRunners: [{ sink: { name: "k1", counter: sink } }],
    });
    expect(components).toEqual([
      { type: "SOURCE", name: "r1", counter: source },
      { type: "CHANNEL", name: "c1", counter: channels[0] },
      { type: "CHANNEL", name: "c2", counter: channels[1] },
      { type: "SINK", name: "k1", counter: sink },
    ]);
  });

  it("reports a sink group as a SINK_PROCESSOR followed by its members as sinks", () => {
    const group = new SinkCounter();
    group.EventDrainSuccessCount = 10;
    const primary = new SinkCounter();
    primary.EventDrainSuccessCount = 7;
    const backup = new SinkCounter();
    backup.EventDrainSuccessCount = 3;
    const components = monitoredComponents({
      sources: [],
      channels: [],
      sinkRunners: [{ sink: { name: "g1", counter: group, sinks: [{ name: "primary", counter: primary }, { name: "backup", counter: backup }] } }],
    });
    expect(components.map((component) => `${component.type}.${component.name}`)).toEqual(["SINK_PROCESSOR.g1", "SINK.primary", "SINK.backup"]);

    const document = JSON.parse(renderFlumeJson(components)) as Record<string, Record<string, string>>;
    expect(document["SINK_PROCESSOR.g1"]).toMatchObject({ Type: "SINK_PROCESSOR", EventDrainSuccessCount: "10" });
    expect(document["SINK.backup"]).toMatchObject({ Type: "SINK", EventDrainSuccessCount: "3" });

    const families = parsePrometheusText(renderPrometheus("t", components));
    expect(sampleValue(families, "flowc_sink_group_event_drain_success_total", { component: "g1" })).toBe(10);
    const sinks = families.find((family) => family.name === "flowc_sink_event_drain_success_total");
    expect(sinks?.samples.map((sample) => [sample.labels.component, sample.value])).toEqual([
      ["primary", 7],
      ["backup", 3],
    ]);
  });
});
