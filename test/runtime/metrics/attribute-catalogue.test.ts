import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ATTRIBUTE_METRICS, attributeMetric, fallbackMetricName, prometheusName } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { ChannelCounter, SinkCounter, SourceCounter } from "../../../runtime/metrics/counters";
import type { ComponentType } from "../../../runtime/metrics/monitored-components";
import { FileChannelCounter } from "../../../runtime/channels/file/file-channel-counter";
import { SpooldirSourceCounter } from "../../../runtime/sources/spooldir/spooldir-source";
import { TcpSourceCounter } from "../../../runtime/sources/tcp/tcp-source";
import { ListenSourceCounter } from "../../../runtime/sources/listen/listen-source";
import { ForwardSinkCounter } from "../../../runtime/sinks/forward/forward-sink";
import { renderMetricsTable, withMetricsTable } from "../../../scripts/docs/metrics-doc";
import { ROOT } from "../../helpers/run-cli";

describe("the attribute catalogue", () => {
  it("lists each Flume attribute once", () => {
    const names = ATTRIBUTE_METRICS.map((metric) => metric.flume);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives valid, distinct Prometheus names: counters end in _total, gauges do not", () => {
    const seen = new Set<string>();
    for (const metric of ATTRIBUTE_METRICS) {
      expect(metric.name).toMatch(/^[a-z][a-z0-9_]*$/);
      if (metric.type === "counter") expect(metric.name, metric.flume).toMatch(/_total$/);
      else expect(metric.name, metric.flume).not.toMatch(/_total$/);
      expect(metric.help).toMatch(/^[A-Za-z0-9].*\.$/);
      for (const type of metric.on) {
        const full = prometheusName(type, metric.name);
        expect(seen.has(full), full).toBe(false);
        seen.add(full);
      }
    }
  });

  it.each<[ComponentType, object]>([
    ["SOURCE", new SourceCounter()],
    ["SOURCE", new TcpSourceCounter()],
    ["SOURCE", new ListenSourceCounter()],
    ["SINK", new ForwardSinkCounter()],
    ["SOURCE", new SpooldirSourceCounter()],
    ["CHANNEL", new ChannelCounter(1)],
    ["CHANNEL", new FileChannelCounter(1)],
    ["SINK", new SinkCounter()],
    ["SINK_PROCESSOR", new SinkCounter()],
  ])("maps every attribute of a %s counter", (type, counter) => {
    forEachAttribute(counter, (name) => {
      expect(attributeMetric(name)?.on, name).toContain(type);
    });
  });

  it("derives a fallback name in snake_case", () => {
    expect(fallbackMetricName("LineTruncatedCount")).toBe("line_truncated_count");
    expect(fallbackMetricName("HTTPRequestCount")).toBe("http_request_count");
    expect(fallbackMetricName("Odd$Name")).toBe("odd_name");
  });

  it("is documented: the metrics table in docs/agent.md is up to date (run `npm run docs`)", () => {
    const doc = readFileSync(join(ROOT, "docs", "agent.md"), "utf8");
    expect(doc).toContain(renderMetricsTable());
    expect(withMetricsTable(doc)).toBe(doc);
  });
});
