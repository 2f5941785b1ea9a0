import type { ComponentSpec } from "../../spec";

/**
 * `byte_capacity` defaults to a fixed 256 MiB. Flume's default, 80 % of the JVM heap, has no counterpart
 * here: event bodies are Buffers, which live outside V8's heap, so a share of the heap limit would not
 * bound them; and a fixed number behaves the same on every host and in every container. 256 MiB is far
 * above what the default 10,000 events of ordinary log lines (a few hundred bytes to a few KiB) need, so it
 * only bites when events are large (10,000 lines of the `tcp` source's 1 MiB maximum would be 10 GiB).
 */
const DEFAULT_BYTE_CAPACITY = 256 * 1_048_576;

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
    byte_capacity: {
      type: { kind: "size", min: 1 },
      default: DEFAULT_BYTE_CAPACITY,
      doc: "Most bytes of event bodies the channel holds, counting events a sink has taken but not yet delivered (headers are not counted); a put that would exceed it is refused and the source pushes back. A single batch larger than this is accepted only into an empty channel, so it cannot be refused forever. The default is a fixed 256MiB rather than Flume's 80% of the heap, because event bodies live outside Node's heap.",
    },
  },
} as const satisfies ComponentSpec;
