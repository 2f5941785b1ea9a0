import { findSpec } from "../registry";
import { describePropertyType, isCredentialName, DURATION_UNITS_MS, SIZE_UNITS_BYTES, type PropertySpec, type PropertyType, type PropertyValue } from "../spec";
import { conditionText } from "./condition-text";
import { isEnvValue, isMapValue, type ComponentPlan, type PlanValue, type TierPlan } from "./tier-plan";
import type { EnvLookup } from "./env-reader";

export const DESCRIBE_FORMATS = ["text", "json"] as const;
export type DescribeFormat = (typeof DESCRIBE_FORMATS)[number];

/**
 * What `<tier> --describe` prints: the plan the agent was built from. Works on the embedded plan alone: it
 * reads no environment variable (an `env()` property shows as `env(NAME, default)`) and starts nothing.
 */
export function describePlan(plan: TierPlan, format: DescribeFormat): string {
  if (format === "json") return `${JSON.stringify(withSecretsMasked(plan), null, 2)}\n`;
  const at = (line: number): string => `${plan.sourceFile}:${line}`;
  const lines = [`tier ${plan.tier} (${plan.sourceFile}, flowc ${plan.flowcVersion})`];
  const component = (item: ComponentPlan, indent: string, extra: readonly string[] = []): void => {
    lines.push(`${indent}${item.id}: ${item.kind} (${at(item.line)})`);
    const specs = findSpec(item.role, item.kind)?.properties;
    for (const line of extra) lines.push(`${indent}  ${line}`);
    for (const [key, value] of Object.entries(item.config)) {
      lines.push(`${indent}  ${key} = ${valueText(value, specs?.[key], plan.env)}`);
    }
  };

  if (plan.sources.length > 0) lines.push("", "sources");
  for (const source of plan.sources) {
    component(source, "  ");
    for (const interceptor of source.interceptors) {
      if (interceptor.role === "drop") {
        lines.push(`    | drop(${conditionText(interceptor.condition)}) (${at(interceptor.line)})`);
      } else {
        component(interceptor, "    | ");
      }
    }
  }
  if (plan.channels.length > 0) lines.push("", "channels");
  for (const channel of plan.channels) component(channel, "  ");
  if (plan.sinks.length > 0) lines.push("", "sinks");
  for (const sink of plan.sinks) component(sink, "  ");
  if (plan.groups.length > 0) lines.push("", "sink groups");
  for (const group of plan.groups) component(group, "  ", [`sinks = [${group.members.join(", ")}]`]);

  lines.push("", "wiring");
  for (const source of plan.sources) {
    if (source.route === undefined) {
      lines.push(`  ${source.id} -> ${targetsText(source.targets)}`);
      continue;
    }
    lines.push(`  route ${source.id} (the first arm that matches)`);
    for (const arm of source.route) {
      const when = arm.condition === undefined ? "else" : `when ${conditionText(arm.condition)}`;
      lines.push(`    ${when} -> ${targetsText(arm.targets)}`);
    }
  }
  for (const sink of plan.sinks) if (sink.channel !== undefined) lines.push(`  ${sink.channel} -> ${sink.id}`);
  for (const group of plan.groups) lines.push(`  ${group.channel} -> ${group.id} (${group.kind}: ${group.members.join(", ")})`);

  lines.push("", "environment (read at start)");
  if (plan.env.length === 0) lines.push("  none");
  lines.push(...environmentLines(plan.env), "");
  return lines.join("\n");
}

/** One line per `env()` lookup: the variable, where its value goes, its type and its default. */
export function environmentLines(env: readonly EnvLookup[]): string[] {
  const width = Math.max(0, ...env.map((lookup) => lookup.name.length));
  return env.map((lookup) => {
    const fallback = lookup.fallback === undefined ? "required" : `default ${literalText(lookup.fallback, lookup.type)}`;
    return `  ${lookup.name.padEnd(width)}  ${lookup.target}: ${describePropertyType(lookup.type)}, ${fallback}`;
  });
}

function targetsText(targets: readonly { channel: string; optional: boolean }[]): string {
  return targets.map((target) => (target.optional ? `optional ${target.channel}` : target.channel)).join(", ");
}

/** What a secret written in the file shows as: the agent never prints credentials. */
const MASKED = "\"<secret>\"";

function valueText(value: PlanValue, spec: PropertySpec | undefined, env: readonly EnvLookup[]): string {
  const type = spec?.type;
  if (isMapValue(value)) {
    const entryType = type?.kind === "map" ? type.of : undefined;
    const entries = Object.entries(value.$map).map(([name, entry]) => {
      const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
      const entrySpec = spec === undefined ? undefined : { ...spec, type: entryType ?? spec.type, secret: spec.secret === true && isCredentialName(name) };
      return `${key} = ${valueText(entry, entrySpec, env)}`;
    });
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  if (!isEnvValue(value)) return spec?.secret === true ? MASKED : literalText(value, type);
  const lookup = env[value.$env];
  if (lookup === undefined) return `env(#${value.$env})`;
  return lookup.fallback === undefined ? `env(${lookup.name})` : `env(${lookup.name}, ${literalText(lookup.fallback, lookup.type)})`;
}

/** A value as a `.flow` literal of its type: durations and sizes with their largest exact unit, regexes as `/…/`. */
function literalText(value: PropertyValue, type: PropertyType | undefined): string {
  if (Array.isArray(value)) return `[${value.map((item: PropertyValue) => literalText(item, type?.kind === "list" ? type.of : undefined)).join(", ")}]`;
  if (typeof value === "object") {
    const entryType = type?.kind === "map" ? type.of : undefined;
    return `{ ${Object.entries(value).map(([name, entry]) => `${JSON.stringify(name)} = ${literalText(entry, entryType)}`).join(", ")} }`;
  }
  if (typeof value === "string") return type?.kind === "regex" ? value : JSON.stringify(value);
  if (typeof value === "number" && type?.kind === "duration") return withUnit(value, DURATION_UNITS_MS, "ms");
  if (typeof value === "number" && type?.kind === "size") return withUnit(value, SIZE_UNITS_BYTES, "B");
  return String(value);
}

/** `30000` → `30s`, `268435456` → `256MiB`: the unit giving the smallest whole number. */
function withUnit(amount: number, units: Readonly<Record<string, number>>, smallest: string): string {
  let best = `${amount}${smallest}`;
  let bestCount = amount;
  for (const [unit, size] of Object.entries(units)) {
    if (amount >= size && amount % size === 0 && amount / size < bestCount) {
      best = `${amount / size}${unit}`;
      bestCount = amount / size;
    }
  }
  return best;
}

/** Writes a condition back in the `.flow` syntax (`!=`, `!~` and `not in` as written). */

/** The plan with every secret written in the file replaced, for `--describe --format json`. */
function withSecretsMasked(plan: TierPlan): TierPlan {
  const mask = <C extends ComponentPlan>(component: C): C => {
    const specs = findSpec(component.role, component.kind)?.properties;
    if (specs === undefined) return component;
    const config: Record<string, PlanValue> = {};
    for (const [key, value] of Object.entries(component.config)) config[key] = specs[key]?.secret === true ? maskLiterals(value) : value;
    return { ...component, config };
  };
  return {
    ...plan,
    sources: plan.sources.map((source) => ({ ...mask(source), interceptors: source.interceptors.map((i) => (i.role === "drop" ? i : mask(i))) })),
    channels: plan.channels.map(mask),
    sinks: plan.sinks.map(mask),
    groups: plan.groups.map(mask),
  };
}

function maskLiterals(value: PlanValue): PlanValue {
  if (isEnvValue(value)) return value;
  if (isMapValue(value)) return { $map: Object.fromEntries(Object.entries(value.$map).map(([name, entry]) => [name, isCredentialName(name) ? maskLiterals(entry) : entry])) };
  return "<secret>";
}
