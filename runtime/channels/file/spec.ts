import type { ComponentSpec } from "../../spec";

const MiB = 1_048_576;

export const fileChannelSpec = {
  role: "channel",
  kind: "file",
  summary:
    "Durable queue on local disk: a committed put survives the agent being killed (and, with `sync = batch`, power loss); slower than `memory`.",
  implementation: "FileChannel",
  properties: {
    dir: {
      type: { kind: "string" },
      required: true,
      writes: "directory",
      doc: "Directory of the channel's segment files, checkpoint and lock, created if missing. One channel per directory: a second agent (or channel) on it fails to start.",
    },
    capacity: {
      type: { kind: "integer", min: 1 },
      default: 1_000_000,
      doc: "Most events the channel holds, counting those a sink has taken but not yet committed; a put that would exceed it is refused and the source pushes back.",
    },
    transaction_capacity: {
      type: { kind: "integer", min: 1 },
      default: 10_000,
      doc: "Most events one put or take transaction may carry; sink and source batches must not exceed it.",
    },
    max_segment_size: {
      type: { kind: "size", min: 4_096 },
      default: 64 * MiB,
      doc: "Size at which the channel starts a new segment file. A segment is deleted once every event in it (and in every older one) was taken.",
    },
    checkpoint_interval: {
      type: { kind: "duration", min: 1_000 },
      default: 30_000,
      doc: "How often the queue's state is written to the checkpoint file, so that a restart replays only the segment data written since.",
    },
    min_free_space: {
      type: { kind: "size", min: 0 },
      default: 500 * MiB,
      doc: "While the disk holding `dir` has less free space than this, puts are refused (logged once, counted in `EventPutErrorCount`) and sources push back; checked every second. Flume's default, 500MiB.",
    },
    sync: {
      type: { kind: "enum", values: ["batch", "interval"] },
      default: "batch",
      doc: "`batch`: the puts committed together are written and flushed to disk with one fdatasync (group commit) before the channel reports them durable, so they survive power loss. `interval`: written at once (they survive the agent being killed) but flushed only every `sync_interval`, trading the last interval's events on power loss or an OS crash for speed.",
    },
    sync_interval: {
      type: { kind: "duration", min: 1 },
      default: 1_000,
      doc: "With `sync = interval`, how often written data is flushed to disk. With `sync = batch`, how long a take's record may wait for a flush (takes are redelivered, not lost, if that record is lost in a power failure).",
    },
    cache_size: {
      type: { kind: "size", min: 0 },
      default: 64 * MiB,
      doc: "Memory for recently put events, so that sinks which keep up never read the disk (each event counts its encoded size plus 200 bytes); older events are read back from their segment when taken. The channel's memory use is about this plus 8 bytes per queued event, whatever `capacity` is.",
    },
  },
} as const satisfies ComponentSpec;
