import { basename } from "node:path";
import type { EnvLookup } from "../../runtime/agent/env-reader";
import type { ComponentSpec, PropertyType, PropertyValue } from "../../runtime/spec";
import type { Property, TestDecl } from "../ast";
import type { CheckedComponent, CheckedTier, CheckedTopology, ResolvedValue } from "../check";
import type { SourceFile } from "../diagnostics";
import { lowerCondition } from "./lower-condition";
import type { ComponentPlan, GroupPlan, InterceptorPlan, PlanValue, SinkPlan, SourcePlan, TestPlan, TestStepPlan, TierPlan } from "./plan";

/** Lowers a checked topology (with no errors) to one plan per tier. */
export function lowerToPlans(checked: CheckedTopology, flowcVersion: string): TierPlan[] {
  return checked.tiers.map((tier) => lowerTier(tier, flowcVersion));
}

function lowerTier(tier: CheckedTier, flowcVersion: string): TierPlan {
  const source = tier.file.source;
  const env: EnvLookup[] = [];
  const channelOf = (id: string): string | undefined => tier.edges.find((edge) => edge.to === id)?.from;
  const groups = tier.components.filter((c) => c.decl.role === "group");
  const grouped = new Set(groups.flatMap((group) => group.members));
  const lowerAs = <P extends ComponentPlan>(component: CheckedComponent, extra: Omit<P, keyof ComponentPlan>): P =>
    ({ ...lowerComponent(component.decl.name.text, component.spec, component.properties, source.position(component.decl.span.start).line, `${component.decl.role} \`${component.decl.name.text}\``, env), ...extra }) as P;

  const sources = tier.components
    .filter((c) => c.decl.role === "source")
    .map((component): SourcePlan => {
      const id = component.decl.name.text;
      const route = tier.routes.find((candidate) => candidate.source === id);
      const interceptors = component.interceptors.map((link, index): InterceptorPlan => {
        const line = link.line;
        if (link.kind === "drop") return { role: "drop", id: `${id}_drop${index + 1}`, condition: lowerCondition(link.condition), line };
        const plan = lowerComponent(`${id}_${link.spec.kind}${index + 1}`, link.spec, link.properties, line, `interceptor \`${link.spec.kind}\` of source \`${id}\``, env);
        return { ...plan, role: "interceptor" };
      });
      return lowerAs<SourcePlan>(component, {
        interceptors,
        targets: route === undefined ? tier.edges.filter((edge) => edge.from === id).map((edge) => ({ channel: edge.to, optional: edge.optional })) : [],
        ...(route === undefined
          ? {}
          : {
              route: route.arms.map((arm) => ({
                ...(arm.condition === undefined ? {} : { condition: lowerCondition(arm.condition) }),
                targets: arm.targets.map((target) => ({ channel: target.name, optional: target.optional })),
              })),
            }),
      });
    });

  return {
    tier: tier.decl.name.text,
    flowcVersion,
    sourceFile: basename(source.path),
    env,
    channels: tier.components.filter((c) => c.decl.role === "channel").map((c) => lowerAs<ComponentPlan>(c, {})),
    sinks: tier.components
      .filter((c) => c.decl.role === "sink")
      .map((c) => {
        const channel = grouped.has(c.decl.name.text) ? undefined : channelOf(c.decl.name.text);
        return lowerAs<SinkPlan>(c, channel === undefined ? {} : { channel });
      }),
    groups: groups.map((c) => lowerAs<GroupPlan>(c, { channel: channelOf(c.decl.name.text) ?? "", members: c.members })),
    sources,
    tests: tier.tests.map((test) => lowerTest(test, source)),
  };
}

function lowerComponent(
  id: string,
  spec: ComponentSpec,
  properties: ReadonlyMap<string, ResolvedValue>,
  line: number,
  subject: string,
  env: EnvLookup[],
): ComponentPlan {
  const config: Record<string, PlanValue> = {};
  for (const [key, propertySpec] of Object.entries(spec.properties)) {
    const resolved = properties.get(key);
    if (resolved === undefined) {
      if (propertySpec.default !== undefined) config[key] = literalPlanValue(propertySpec.default);
      continue;
    }
    config[key] = planValue(resolved, propertySpec.type, `property \`${key}\` of ${subject}`, env);
  }
  return { id, role: spec.role, kind: spec.kind, implementation: spec.implementation, config, line };
}

function lowerTest(test: TestDecl, source: SourceFile): TestPlan {
  const strings = (properties: readonly Property[]): Record<string, string> =>
    Object.fromEntries(properties.flatMap((p) => (p.value.$type === "StringValue" ? [[p.name.text, p.value.value]] : [])));
  const steps = test.steps.map((step): TestStepPlan => {
    const line = source.position(step.span.start).line;
    if (step.$type === "SendStep") {
      const headers = step.properties.find((p) => p.name.text === "headers")?.value;
      const body = step.properties.find((p) => p.name.text === "body")?.value;
      return {
        step: "send",
        source: step.source.text,
        headers: headers?.$type === "BlockValue" ? strings(headers.properties) : {},
        body: body?.$type === "StringValue" ? body.value : "",
        line,
      };
    }
    if (step.expectation === "dropped") return { step: "expectDropped", line };
    if (step.expectation === "block") return { step: "expectHeaders", headers: strings(step.properties), line };
    return { step: "expectChannels", channels: step.targets.map((target) => target.name.text), line };
  });
  return { name: test.name.value, line: source.position(test.span.start).line, steps };
}

/** A checked value as the plan carries it: `env()` lookups are appended to `env` and referenced by index. */
function planValue(resolved: ResolvedValue, type: PropertyType, target: string, env: EnvLookup[]): PlanValue {
  switch (resolved.kind) {
    case "literal":
      return literalPlanValue(resolved.value);
    case "env":
      env.push({ name: resolved.name, target, type, ...(resolved.fallback === undefined ? {} : { fallback: resolved.fallback }) });
      return { $env: env.length - 1 };
    case "invalid":
      throw new Error(`${target} was reported invalid; plans are made only without errors`);
    case "map": {
      const entryType = type.kind === "map" ? type.of : type;
      const entries: Record<string, PlanValue> = {};
      for (const [name, entry] of resolved.entries) entries[name] = planValue(entry, entryType, `entry \`${name}\` of ${target}`, env);
      return { $map: entries };
    }
  }
}

/** Maps are wrapped in `$map` in plans (see `PlanValue`). */
function literalPlanValue(value: PropertyValue): PlanValue {
  if (typeof value !== "object" || Array.isArray(value)) return value as PlanValue;
  return { $map: Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, literalPlanValue(entry)])) };
}
