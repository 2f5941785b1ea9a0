import { basename } from "node:path";
import type { EnvLookup } from "../../runtime/agent/env-reader";
import type { CheckedComponent, CheckedFile, CheckedTier } from "../check";
import type { ComponentPlan, PlanValue, SinkPlan, SourcePlan, TierPlan } from "./plan";

/** Lowers a checked file (with no errors) to one plan per tier. */
export function lowerToPlans(checked: CheckedFile, flowcVersion: string): TierPlan[] {
  return checked.tiers.map((tier) => lowerTier(tier, checked, flowcVersion));
}

function lowerTier(tier: CheckedTier, checked: CheckedFile, flowcVersion: string): TierPlan {
  const env: EnvLookup[] = [];
  const lowered = tier.components.map((component) => lowerComponent(component, checked, env));
  const targetsOf = (id: string): string[] => tier.edges.filter((edge) => edge.from === id).map((edge) => edge.to);
  const channelOf = (sink: string): string => {
    const edge = tier.edges.find((candidate) => candidate.to === sink);
    // The checker reports FLOW4003 for a sink with no channel, and lowering runs only without errors.
    if (edge === undefined) throw new Error(`internal: sink \`${sink}\` reached lowering without a channel`);
    return edge.from;
  };
  return {
    tier: tier.decl.name.text,
    flowcVersion,
    sourceFile: basename(checked.ast.source.path),
    env,
    channels: lowered.filter((plan) => plan.role === "channel"),
    sinks: lowered.filter((plan) => plan.role === "sink").map((plan): SinkPlan => ({ ...plan, role: "sink", channel: channelOf(plan.id) })),
    sources: lowered.filter((plan) => plan.role === "source").map((plan): SourcePlan => ({ ...plan, role: "source", channels: targetsOf(plan.id) })),
  };
}

function lowerComponent(component: CheckedComponent, checked: CheckedFile, env: EnvLookup[]): ComponentPlan {
  const { decl, spec } = component;
  const config: Record<string, PlanValue> = {};
  for (const [key, propertySpec] of Object.entries(spec.properties)) {
    const resolved = component.properties.get(key);
    if (resolved === undefined) {
      if (propertySpec.default !== undefined) config[key] = propertySpec.default;
      continue;
    }
    if (resolved.kind === "literal") {
      config[key] = resolved.value;
      continue;
    }
    env.push({
      name: resolved.name,
      target: `property \`${key}\` of ${decl.role} \`${decl.name.text}\``,
      type: propertySpec.type,
      ...(resolved.fallback === undefined ? {} : { fallback: resolved.fallback }),
    });
    config[key] = { $env: env.length - 1 };
  }
  return {
    id: decl.name.text,
    role: decl.role,
    kind: spec.kind,
    implementation: spec.implementation,
    config,
    line: checked.ast.source.position(decl.span.start).line,
  };
}
