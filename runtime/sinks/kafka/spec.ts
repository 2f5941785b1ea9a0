import { kafkaConnectionProperties } from "../../kafka/connection-properties";
import type { ComponentSpec } from "../../spec";
import { defaultTopicProblem, topicTemplateProblem } from "./validate";

export const kafkaSinkSpec = {
  role: "sink",
  kind: "kafka",
  summary:
    "Produces each event as a Kafka record (body as value, headers as record headers, key and partition from headers) to a topic that may depend on headers; the channel transaction commits only once the brokers acknowledged the whole batch (`acks = all` by default). See docs/kafka-sink.md.",
  implementation: "KafkaSink",
  properties: {
    ...kafkaConnectionProperties,
    topic: {
      type: { kind: "string" },
      default: "default-flume-topic",
      readsHeaders: "template",
      validate: topicTemplateProblem,
      doc: "Topic of each record: a name, or a template whose `%{name}` escapes read the event's headers (`logs-%{app}`; `%{topic}` is Flume's `topicHeader` override). An event missing a header the template reads, or whose headers make a name Kafka refuses, goes to `default_topic` (counted in `TopicFallbackCount`). Topics must exist unless the brokers create them (`auto.create.topics.enable`).",
    },
    default_topic: {
      type: { kind: "string" },
      default: "default-flume-topic",
      validate: defaultTopicProblem,
      doc: "Where events go whose `topic` template could not be formed (a header missing or empty, or a name Kafka refuses); Flume's default topic name.",
    },
    key_header: {
      type: { kind: "string" },
      readsHeaders: "name",
      doc: "Header whose value is the record key (Flume always read the `key` header: write `key_header = \"key\"`). Records with the same key go to the same partition; events without the header have no key and are spread round-robin.",
    },
    partition_header: {
      type: { kind: "string" },
      readsHeaders: "name",
      doc: "Header whose value is the partition number to write to, overriding the partitioner (Flume's `partitionIdHeader`). A value that is not a partition of the topic is ignored (the partitioner decides) and counted in `PartitionFallbackCount`.",
    },
    timestamp_header: {
      type: { kind: "string" },
      readsHeaders: "name",
      doc: "Header whose value (milliseconds since the Unix epoch, as the `timestamp` interceptor sets) is the record's timestamp (Flume's `timestampHeader`); without it, or when the value is not a number, the time the record is sent (counted in `TimestampFallbackCount`).",
    },
    record_headers: {
      type: { kind: "boolean" },
      default: true,
      doc: "Send every event header as a Kafka record header (UTF-8 values), so consumers and the `kafka` source see them. False sends the body alone.",
    },
    acks: {
      type: { kind: "enum", values: ["all", "leader", "none"] },
      default: "all",
      doc: "Which brokers must have a batch before it counts as delivered: `all` in-sync replicas (`acks=-1`, no loss when the leader dies), the `leader` alone (`acks=1`, Flume's default: a batch the leader acknowledged is lost if it dies before the replicas copy it) or `none` (`acks=0`: committed once written to the connection).",
    },
    compression: {
      type: { kind: "enum", values: ["none", "gzip"] },
      default: "none",
      doc: "Compression of record batches: `gzip` (consumers decompress it transparently). Snappy, LZ4 and zstd are not offered (see docs/kafka-sink.md).",
    },
    partitioner: {
      type: { kind: "enum", values: ["default", "legacy"] },
      default: "default",
      doc: "How keyed records are spread: `default` hashes the key with murmur2 as the Java client does, so a key lands in the same partition as from Java producers (and Flume); `legacy` is KafkaJS 1.x's hashing, for topics written by older Node.js producers. Records without a key go round-robin with both.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events taken from the channel per transaction and sent together (Flume's `flumeBatchSize`, whose default 100 is slow).",
    },
    max_request_bytes: {
      type: { kind: "size", min: 1_024 },
      default: 1_000_000,
      doc: "Most bytes of records (before compression) per produce request: a batch is sent as several requests, in order, when larger. Keep it under the brokers' `message.max.bytes` (1 MiB by default), which limits a partition's records per request.",
    },
    on_oversize: {
      type: { kind: "enum", values: ["drop", "fail"] },
      default: "drop",
      doc: "What happens to a single record larger than `max_request_bytes`, which no broker would take: `drop` discards it, logs an error and counts it in `EventDropCount`; `fail` fails its batch every time, so the channel stops draining until the record is removed or the limit raised (Flume's behaviour).",
    },
    idempotent: {
      type: { kind: "boolean" },
      default: false,
      doc: "Use the idempotent producer (KafkaJS marks it experimental), so the brokers discard the duplicates of a retried request; needs `acks = all`. Retries of a whole batch after a failure may still duplicate records.",
    },
  },
} as const satisfies ComponentSpec;
