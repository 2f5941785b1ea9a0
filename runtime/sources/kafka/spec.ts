import { kafkaConnectionProperties } from "../../kafka/connection-properties";
import { topicNameProblem } from "../../kafka/topic-name";
import type { ComponentSpec, PropertyValue } from "../../spec";

/** A `topics` list Kafka would refuse: empty, or with a name that is not a topic name. */
function topicsProblem(value: PropertyValue): string | undefined {
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return "give at least one topic (or use `topics_pattern` instead)";
  for (const topic of value) {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return `${JSON.stringify(topic)} is not a Kafka topic name: ${problem}`;
  }
  return undefined;
}

export const kafkaSourceSpec = {
  role: "source",
  kind: "kafka",
  summary:
    "Consumes Kafka topics as a member of a consumer group (Flume's Kafka source): record value → body, record headers, key, topic, partition, offset and timestamp → headers. Offsets are committed only after the channels committed the events (at least once); a full channel pauses the partitions until it has room. See docs/kafka-source.md.",
  implementation: "KafkaSource",
  acknowledges: true,
  oneOf: [["topics", "topics_pattern"]],
  setsHeaders: [
    { nameFrom: "topic_header", defaultName: "topic" },
    { nameFrom: "partition_header", defaultName: "partition" },
    { nameFrom: "offset_header", defaultName: "offset" },
    { nameFrom: "key_header", defaultName: "key" },
    { nameFrom: "timestamp_header", defaultName: "timestamp" },
    { any: true },
  ],
  properties: {
    ...kafkaConnectionProperties,
    topics: {
      type: { kind: "list", of: { kind: "string" } },
      validate: topicsProblem,
      doc: 'Topics to consume, e.g. `topics = ["weblogs", "audit"]` (Flume\'s `kafka.topics`). Give either this or `topics_pattern`, not both.',
    },
    topics_pattern: {
      type: { kind: "regex" },
      doc: "Consume every topic whose name matches this regular expression (Flume's `kafka.topics.regex`), e.g. `/^logs-.*/`. The topics are matched once, when the consumer starts (or restarts after a failure): a topic created later is consumed after the agent restarts. Give either this or `topics`, not both.",
    },
    group_id: {
      type: { kind: "string" },
      required: true,
      doc: "The consumer group (Flume's `kafka.consumer.group.id`). The members of a group share the topics' partitions, and the group's committed offsets are where a restarted agent resumes. No default (Flume's is `flume`): two unrelated agents sharing a default group would silently split the partitions between them, each seeing part of the topics. Set `group_id = \"flume\"` to take over from a Flume agent where it stopped.",
    },
    start_from: {
      type: { kind: "enum", values: ["earliest", "latest"] },
      default: "latest",
      doc: "Where to start in a partition for which the group has no committed offset yet (Kafka's `auto.offset.reset`): `earliest`, at the oldest record the topic keeps; `latest`, at records produced from now on. Once the group committed an offset, it always resumes there.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events put into the channels in one transaction (Flume's `batchSize`); records fetched together are put in chunks of this size. It may not exceed the channel's `transaction_capacity`.",
    },
    batch_duration: {
      type: { kind: "duration", min: 1 },
      default: 1_000,
      doc: "Longest time a fetch waits at the broker for records (Flume's `batchDurationMillis`): the broker answers as soon as it has any, so this bounds how long an idle source waits before asking again, not the latency of a busy one. It is also how often a paused source (its channel full) checks again.",
    },
    max_fetch_size: {
      type: { kind: "size", min: 1_024 },
      default: 1_048_576,
      doc: "Most bytes fetched from one partition in one request (Kafka's `max.partition.fetch.bytes`): with `batch_size`, what bounds the records one source holds in memory besides its channel.",
    },
    session_timeout: {
      type: { kind: "duration", min: 1_000 },
      default: 30_000,
      doc: "How long the group coordinator waits for a heartbeat from this member before it declares it dead and gives its partitions to the others (Kafka's `session.timeout.ms`). Shorter moves a crashed agent's partitions sooner.",
    },
    heartbeat_interval: {
      type: { kind: "duration", min: 100 },
      default: 3_000,
      doc: "How often the member tells the coordinator it is alive (Kafka's `heartbeat.interval.ms`); well under `session_timeout`, a third of it at most.",
    },
    rebalance_timeout: {
      type: { kind: "duration", min: 1_000 },
      default: 60_000,
      doc: "How long the coordinator waits for every member to rejoin when the group rebalances (Kafka's `max.poll.interval.ms` plays this part in Java clients).",
    },
    topic_header: {
      type: { kind: "string" },
      default: "topic",
      doc: "Header holding the record's topic (Flume's `setTopicHeader`/`topicHeader`); `\"\"` sets none. Mind a `kafka` sink that reads the same header for its topic: it would write the events back where they came from.",
    },
    partition_header: {
      type: { kind: "string" },
      default: "partition",
      doc: "Header holding the record's partition number; `\"\"` sets none.",
    },
    offset_header: {
      type: { kind: "string" },
      default: "offset",
      doc: "Header holding the record's offset in its partition; `\"\"` sets none. With the topic and partition, it identifies a record: use it to recognise the duplicates at-least-once delivery allows.",
    },
    key_header: {
      type: { kind: "string" },
      default: "key",
      doc: "Header holding the record's key, as UTF-8 text; records without a key get none. `\"\"` sets none.",
    },
    timestamp_header: {
      type: { kind: "string" },
      default: "timestamp",
      doc: "Header holding the record's Kafka timestamp, in milliseconds since the epoch (the producer's creation time, or the broker's append time if the topic says so). Flume's source puts its reading time there; the record's own time is stable when a record is read again. `\"\"` sets none.",
    },
  },
} as const satisfies ComponentSpec;
