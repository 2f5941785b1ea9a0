import type { TierPlan } from "../ir";

/** A component of a tier, named as a `.flow` reference names it: `collector.inbound`. */
export interface ComponentRef {
  readonly tier: string;
  readonly component: string;
}

/** One tier's forwarding sink sending to another tier's receiving source. */
export interface CrossTierLink {
  readonly from: ComponentRef;
  readonly to: ComponentRef;
}

/**
 * The links between tiers, in tier and sink order. None exist yet: no sink kind links tiers today. When
 * the `forward` sink lands (`to = collector.inbound`), this returns one link per forward sink, read from
 * its plan, and `buildGraph` and both renderers already draw them between the clusters.
 */
export function crossTierLinks(_plans: readonly TierPlan[]): CrossTierLink[] {
  return [];
}
