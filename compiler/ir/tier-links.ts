import { findSpec } from "../../runtime/registry";
import type { TierPlan } from "./plan";

/** A component of a tier, named as a `.flow` reference names it: `collector.inbound`. */
export interface ComponentRef {
  readonly tier: string;
  readonly component: string;
}

/** One tier's component (a `forward` sink) sending to another tier's receiving source. */
export interface CrossTierLink {
  readonly from: ComponentRef;
  readonly to: ComponentRef;
}

/**
 * The links between tiers, in tier and component order, read off the plans through the specs: every
 * property of type `link` (a `forward` sink's `to = collector.inbound`, checked by the checker) is one.
 */
export function crossTierLinks(plans: readonly TierPlan[]): CrossTierLink[] {
  const links: CrossTierLink[] = [];
  for (const plan of plans) {
    for (const component of [...plan.sources, ...plan.sinks]) {
      const properties = findSpec(component.role, component.kind)?.properties ?? {};
      for (const [key, spec] of Object.entries(properties)) {
        const value = component.config[key];
        if (spec.type.kind !== "link" || typeof value !== "string") continue;
        const [tier = "", target = ""] = value.split(".");
        links.push({ from: { tier: plan.tier, component: component.id }, to: { tier, component: target } });
      }
    }
  }
  return links;
}
