import { kafkaConnectionProperties } from "../../kafka/connection-properties";
import type { ComponentSpec } from "../../spec";
import { topicNameProblem } from "../../kafka/topic-name";
import { groupIdProblem } from "./validate";

export const kafkaChannelSpec = {
  role: "channel",
  kind: "kafka",
  summary:
    "Keeps the channel's events in a Kafka topic (Flume's Kafka channel): a put is produced with acks from all in-sync replicas, a take is consumed in a consumer group and its offset committed when the sink's transaction commits, so several agents can share one buffer. See kafka-channel.md.",
  implementation: "KafkaChannel",
  properties: {
    ...kafkaConnectionProperties,
    topic: {
      type: { kind: "string" },
      default: "flowc-channel",
      validate: topicNameProblem,
      doc: "Topic holding the events (Flume's `kafka.topic`). Create it beforehand with the partitions and replication you need: the channel does not create it, and agents sharing the group share its partitions.",
    },
    group_id: {
      type: { kind: "string" },
      default: "flowc",
      validate: groupIdProblem,
      doc: "Consumer group the channel takes events in (Flume's `kafka.consumer.group.id`). Agents with the same `topic` and `group_id` share the work: each partition is read by one of them.",
    },
    capacity: {
      type: { kind: "integer", min: 1 },
      default: 10_000,
      doc: "Most events committed by sources but not yet acknowledged by Kafka; a put that would exceed it is refused and the source pushes back (Kafka is unreachable or slower than the sources).",
    },
    transaction_capacity: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events one put or take transaction may carry; sink and source batches must not exceed it.",
    },
    prefetch: {
      type: { kind: "integer", min: 1 },
      default: 2_000,
      doc: "Most events the channel reads ahead of the group's committed offsets: fetched and waiting, taken by a sink, or delivered but not yet committed to Kafka. It bounds the memory the take side uses and what a crash delivers twice. Keep it at least twice the sinks' `batch_size`, so fetching goes on while a batch is written.",
    },
    start_from: {
      type: { kind: "enum", values: ["earliest", "latest"] },
      default: "earliest",
      doc: "Where a consumer group with no committed offset starts reading: `earliest`, everything the topic still holds (nothing put before the first start is missed); `latest`, only events put from then on.",
    },
    key_header: {
      type: { kind: "string" },
      readsHeaders: "name",
      doc: "Header whose value becomes the record key: events with the same key go to the same partition (Kafka's murmur2 partitioner), so their order is kept. Without it, or for events without the header, records are spread round-robin over the partitions.",
    },
    compression: {
      type: { kind: "enum", values: ["none", "gzip"] },
      default: "none",
      doc: "Compression of the record batches sent to Kafka.",
    },
    max_request_bytes: {
      type: { kind: "size", min: 1_024 },
      default: 1_000_000,
      doc: "Most bytes of events (bodies and headers, before compression) sent in one produce request. Keep it under the brokers' `message.max.bytes` (1MiB by default); a larger single event is sent alone, and dropped with an error (counted in `EventPutErrorCount`) if the brokers refuse it.",
    },
    session_timeout: {
      type: { kind: "duration", min: 1_000 },
      default: 30_000,
      doc: "How long the group coordinator waits for a heartbeat before it gives this agent's partitions to the others (Kafka's `session.timeout.ms`; brokers allow 6s to 300s by default). Keep `request_timeout` at least as long: joining the group can wait this long for a member that died (a shorter one is warned about at start).",
    },
    heartbeat_interval: {
      type: { kind: "duration", min: 100 },
      default: 3_000,
      doc: "How often the consumer tells the coordinator it is alive (Kafka's `heartbeat.interval.ms`), also while the prefetch buffer is full; a third of `session_timeout` or less.",
    },
    rebalance_timeout: {
      type: { kind: "duration", min: 1_000 },
      default: 60_000,
      doc: "How long the coordinator waits for every member to rejoin when the group changes.",
    },
  },
} as const satisfies ComponentSpec;
