import { attributeMetric, fallbackMetricName, prometheusName } from "./attribute-catalogue";
import { forEachAttribute } from "./counter-attributes";
import type { ComponentType, MonitoredComponent } from "./monitored-components";

/** The content type of Prometheus' text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface Family {
  readonly name: string;
  /** The `# HELP` and `# TYPE` lines. */
  readonly header: string;
  /** Divides Flume's value into the metric's unit. */
  readonly divisor: number;
}

/** Families per component type and attribute, worked out on first use. */
const families = new Map<string, Family>();

function familyOf(type: ComponentType, attribute: string): Family {
  const key = `${type}.${attribute}`;
  let family = families.get(key);
  if (family === undefined) {
    const metric = attributeMetric(attribute);
    const name = prometheusName(type, metric?.name ?? fallbackMetricName(attribute));
    const help = metric?.help ?? `Flume attribute ${attribute} (not in flowc's catalogue, so its type is unknown).`;
    family = { name, header: `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${metric?.type ?? "untyped"}\n`, divisor: metric?.divisor ?? 1 };
    families.set(key, family);
  }
  return family;
}

/**
 * Every component's counters in Prometheus' text format 0.0.4: one family per metric (its `# HELP` and
 * `# TYPE` lines, then one sample per component), labelled with the agent's `tier` and the `component`.
 */
export function renderPrometheus(tier: string, components: readonly MonitoredComponent[]): string {
  const samplesByName = new Map<string, { family: Family; samples: string }>();
  const tierLabel = `tier="${escapeLabelValue(tier)}"`;
  for (const component of components) {
    const labels = `{${tierLabel},component="${escapeLabelValue(component.name)}"} `;
    forEachAttribute(component.counter, (attribute, value) => {
      const family = familyOf(component.type, attribute);
      const numeric = typeof value === "boolean" ? (value ? 1 : 0) : value / family.divisor;
      const sample = `${family.name}${labels}${formatSampleValue(numeric)}\n`;
      const entry = samplesByName.get(family.name);
      if (entry === undefined) samplesByName.set(family.name, { family, samples: sample });
      else entry.samples += sample;
    });
  }
  let text = "";
  for (const { family, samples } of samplesByName.values()) text += family.header + samples;
  return text;
}

/** A label value in double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** HELP text: backslash and line feed escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/** A sample value as Go's ParseFloat reads it: `+Inf`, `-Inf` and `NaN` spelled Prometheus' way. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
