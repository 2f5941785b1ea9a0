import type { ComponentSpec } from "../../spec";

/**
 * The members are not a property: they are the group's `sinks` list in the language
 * (`group out = load_balance { sinks = [a, b] }`) and reach the implementation as its third constructor
 * argument. `members.min` is what the checker requires of that list (the constructor checks it too).
 */
export const loadBalanceGroupSpec = {
  role: "group",
  kind: "load_balance",
  summary:
    "Spreads batches over the sinks of its `sinks` list (at least 2), taking turns or at random, and when a sink fails tries the others with the same batch (Flume's load-balancing sink processor). One batch is written at a time, so a group adds failover, not throughput. When every sink failed, the batch goes back to the channel and the sink runner retries it.",
  implementation: "LoadBalanceSinkGroup",
  members: { role: "sink", min: 2 },
  properties: {
    selector: {
      type: { kind: "enum", values: ["round_robin", "random"] },
      default: "round_robin",
      doc: "Order in which sinks are tried for each batch: `round_robin` starts at the sink after the one that took the previous batch, so the working sinks take turns; `random` shuffles them.",
    },
    backoff: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, a sink that failed n times in a row is left out for min(`max_backoff`, 2^n s), 2 s after a first failure; when false, a failed sink stays in the rotation.",
    },
    max_backoff: {
      type: { kind: "duration" },
      default: 30_000,
      doc: "Longest time a failed sink is left out, with `backoff`.",
    },
  },
} as const satisfies ComponentSpec;
