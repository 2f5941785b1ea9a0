import { attributeMetric } from "./attribute-catalogue";
import { forEachAttribute, type AttributeValue } from "./counter-attributes";
import type { MonitoredComponent } from "./monitored-components";

/**
 * Flume's HTTP monitoring JSON (`HTTPMetricsServer`): one object per component, keyed `<TYPE>.<name>`
 * (`SOURCE.r1`, `CHANNEL.c1`, `SINK.k1`), holding every attribute and `Type`, **every value a string**
 * as Flume's `value.toString()` writes it: `"42"`, `"true"`, `"38.90466666666667"`.
 */
export function renderFlumeJson(components: readonly MonitoredComponent[]): string {
  const document: Record<string, Record<string, string>> = {};
  for (const component of components) {
    const attributes: Record<string, string> = { Type: component.type };
    forEachAttribute(component.counter, (name, value) => {
      attributes[name] = flumeString(name, value);
    });
    document[`${component.type}.${component.name}`] = attributes;
  }
  return JSON.stringify(document);
}

/** An attribute value as Java's `toString()` of Flume's type for it (a `long` unless the catalogue says `double`). */
export function flumeString(name: string, value: AttributeValue): string {
  if (typeof value === "boolean") return String(value);
  if (Number.isSafeInteger(value) && attributeMetric(name)?.javaDouble !== true) return String(value);
  return javaDoubleString(value);
}

/** Java's `Double.toString`: `0.0`, `50.0`, `38.90466666666667`, `1.0E7`, `1.7976931348623157E308`, `NaN`, `Infinity`. */
export function javaDoubleString(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa = "", exponent = ""] = value.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`;
}
