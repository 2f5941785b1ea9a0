import type { ComponentSpec } from "../../spec";

/**
 * The members are not a property: they are the group's `sinks` list in the language
 * (`group out = failover { sinks = [store, spare] }`), in priority order, and reach the implementation as
 * its third constructor argument. `members.min` is what the checker requires of that list.
 */
export const failoverGroupSpec = {
  role: "group",
  kind: "failover",
  summary:
    "Sends every batch to the first working sink of its `sinks` list, which gives the priority (first = highest), and on a failure tries the next one with the same batch (Flume's failover sink processor). A sink that failed n times in a row is left alone for min(`max_penalty`, 2^n s), 2 s after a first failure; once that is over, it is tried again in its place in the list, and a success makes it a working sink again. When no sink is left to try, the batch goes back to the channel and the sink runner retries it.",
  implementation: "FailoverSinkGroup",
  members: { role: "sink", min: 1 },
  properties: {
    max_penalty: {
      type: { kind: "duration" },
      default: 30_000,
      doc: "Longest time a failed sink is left alone before it is tried again.",
    },
  },
} as const satisfies ComponentSpec;
