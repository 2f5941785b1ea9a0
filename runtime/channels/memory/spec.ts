import type { ComponentSpec } from "../../spec";

export const memoryChannelSpec = {
  role: "channel",
  kind: "memory",
  summary: "Bounded in-memory queue: the fastest channel, but events it holds are lost if the agent dies.",
  implementation: "MemoryChannel",
  properties: {
    capacity: {
      type: { kind: "integer", min: 1 },
      default: 10_000,
      doc: "Most events the channel holds; a put that would exceed it is refused and the source pushes back.",
    },
    transaction_capacity: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events one put or take transaction may carry; sink and source batches must not exceed it.",
    },
  },
} as const satisfies ComponentSpec;
