import type { ComponentSpec } from "../../spec";

export const nullSinkSpec = {
  role: "sink",
  kind: "null",
  summary:
    "Discards every event and counts it (Flume's null sink): for benchmarks and for a channel whose events are not needed. " +
    "Every take succeeds at once, so the channel never fills; `EventDrainSuccessCount` counts the events discarded.",
  implementation: "NullSink",
  properties: {
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events taken from the channel per transaction (Flume's default is 100; larger batches cost less per event).",
    },
  },
} as const satisfies ComponentSpec;
