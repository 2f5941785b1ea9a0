import { describe, expect, it } from "vitest";
import { ChannelCounter, SinkCounter, SourceCounter } from "../../../runtime/metrics/counters";
import { monitoredComponents } from "../../../runtime/metrics/monitored-components";
import { escapeHelp, escapeLabelValue, formatSampleValue, renderPrometheus } from "../../../runtime/metrics/prometheus-text";
import { TcpSourceCounter } from "../../../runtime/sources/tcp/tcp-source";
import { parsePrometheusText, sampleValue } from "../../helpers/prometheus-text";

function topology() {
  const tcp = new TcpSourceCounter();
  tcp.EventReceivedCount = 10;
  tcp.OpenConnectionCount = 2;
  tcp.StartTime = 1_763_759_326_123;
  const other = new SourceCounter();
  other.EventReceivedCount = 3;
  const channel = new ChannelCounter(1000);
  channel.ChannelSize = 250;
  const sink = new SinkCounter();
  sink.EventDrainSuccessCount = 9;
  return monitoredComponents({
    sources: [
      { name: "r1", counter: tcp },
      { name: "r2", counter: other },
    ],
    channels: [{ name: "c1", counter: channel }],
    sinkRunners: [{ sink: { name: "k1", counter: sink } }],
  });
}

describe("Prometheus text", () => {
  it("parses line by line into families with HELP and TYPE before their samples", () => {
    const families = parsePrometheusText(renderPrometheus("collector", topology()));
    expect(families.length).toBeGreaterThan(20);
    for (const family of families) {
      expect(family.help, family.name).not.toBe("");
      expect(["counter", "gauge"], family.name).toContain(family.type);
      if (family.type === "counter") expect(family.name).toMatch(/_total$/);
      else expect(family.name).not.toMatch(/_total$/);
      expect(family.name).toMatch(/^flowc_(source|channel|sink_group|sink)_[a-z0-9_]+$/);
      for (const sample of family.samples) expect(Object.keys(sample.labels)).toEqual(["tier", "component"]);
    }
  });

  it("derives names from Flume's and labels each sample with tier and component", () => {
    const families = parsePrometheusText(renderPrometheus("collector", topology()));
    expect(sampleValue(families, "flowc_source_event_received_total", { tier: "collector", component: "r1" })).toBe(10);
    expect(sampleValue(families, "flowc_source_event_received_total", { tier: "collector", component: "r2" })).toBe(3);
    expect(sampleValue(families, "flowc_source_open_connections", { component: "r1" })).toBe(2);
    expect(sampleValue(families, "flowc_source_start_time_seconds", { component: "r1" })).toBe(1_763_759_326.123);
    expect(sampleValue(families, "flowc_source_line_truncated_total", { component: "r1" })).toBe(0);
    expect(sampleValue(families, "flowc_channel_size", { component: "c1" })).toBe(250);
    expect(sampleValue(families, "flowc_channel_capacity", { component: "c1" })).toBe(1000);
    expect(sampleValue(families, "flowc_channel_fill_ratio", { component: "c1" })).toBe(0.25);
    expect(sampleValue(families, "flowc_sink_event_drain_success_total", { component: "k1" })).toBe(9);
    // The tcp source's extra counter is a family with one sample: the plain source has no such attribute.
    expect(families.find((family) => family.name === "flowc_source_line_truncated_total")?.samples).toHaveLength(1);
  });

  it("keeps every family's samples together across components", () => {
    const text = renderPrometheus("t", topology());
    const lines = text.split("\n").filter((line) => line.startsWith("flowc_source_event_received_total"));
    expect(lines).toEqual(['flowc_source_event_received_total{tier="t",component="r1"} 10', 'flowc_source_event_received_total{tier="t",component="r2"} 3']);
    expect(text).toContain(
      '# HELP flowc_source_event_received_total Events received from clients.\n# TYPE flowc_source_event_received_total counter\nflowc_source_event_received_total{tier="t",component="r1"} 10\n',
    );
  });

  it("escapes label values", () => {
    const counter = new SinkCounter();
    const text = renderPrometheus('ti"er\\', monitoredComponents({ sources: [], channels: [], sinkRunners: [{ sink: { name: "line\nbreak", counter } }] }));
    expect(text).toContain('{tier="ti\\"er\\\\",component="line\\nbreak"}');
    const families = parsePrometheusText(text);
    expect(families[0]?.samples[0]?.labels).toEqual({ tier: 'ti"er\\', component: "line\nbreak" });
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
  });

  it("exports booleans as 0/1 and attributes missing from the catalogue as untyped", () => {
    class Custom extends ChannelCounter {
      Unhealthy = true;
      WeirdThingCount = 4;
    }
    const families = parsePrometheusText(renderPrometheus("t", monitoredComponents({ sources: [], channels: [{ name: "c", counter: new Custom(0) }], sinkRunners: [] })));
    expect(sampleValue(families, "flowc_channel_unhealthy", { component: "c" })).toBe(1);
    const weird = families.find((family) => family.name === "flowc_channel_weird_thing_count");
    expect(weird?.type).toBe("untyped");
    expect(weird?.samples[0]?.value).toBe(4);
    // Capacity 0: Flume's fill percentage is Double.MAX_VALUE.
    expect(sampleValue(families, "flowc_channel_fill_ratio", { component: "c" })).toBe(Number.MAX_VALUE / 100);
  });

  it("spells special values as Prometheus does", () => {
    expect(formatSampleValue(Infinity)).toBe("+Inf");
    expect(formatSampleValue(-Infinity)).toBe("-Inf");
    expect(formatSampleValue(Number.NaN)).toBe("NaN");
    expect(formatSampleValue(1.5)).toBe("1.5");
  });

  it("is empty for an agent with no components", () => {
    expect(renderPrometheus("t", [])).toBe("");
  });
});
