import { COMPONENT_TYPES, type ComponentType } from "./monitored-components";

/**
 * What flowc knows about each counter attribute: Flume's name (the JSON key), the Prometheus metric it
 * becomes and how. This table is the whole mapping: the Prometheus renderer and the metrics table in
 * docs/agent.md (`npm run docs`) read it; nothing names a metric anywhere else.
 *
 * Naming: `flowc_<component type>_<name>`, the type being `source`, `channel`, `sink` or `sink_group`
 * (Flume's SINK_PROCESSOR) and `name` Flume's attribute in snake_case without `Count`; counters (only ever grow, reset when the agent starts) end in `_total`; gauges (a current value)
 * do not. Units are Prometheus' base units: times in seconds, fractions as ratios.
 */
export type PrometheusType = "counter" | "gauge";

export interface AttributeMetric {
  /** Flume's attribute name: the JMX attribute and the key in the JSON. */
  readonly flume: string;
  /** Component types whose Flume counters carry it. */
  readonly on: readonly ComponentType[];
  /** The Prometheus metric name after `flowc_<type>_`. */
  readonly name: string;
  readonly type: PrometheusType;
  readonly help: string;
  /** Divides Flume's value into the Prometheus unit (1000: milliseconds → seconds; 100: percent → ratio). */
  readonly divisor?: number;
  /** Flume reports it as a Java `double` (`"50.0"`), not a `long` (`"50"`). */
  readonly javaDouble?: boolean;
}

/** Milliseconds per second. */
const MS = 1000;
const ALL: readonly ComponentType[] = COMPONENT_TYPES;
/** A sink group has a sink's counter (the sink runner updates it as it would a sink's). */
const SINKS: readonly ComponentType[] = ["SINK", "SINK_PROCESSOR"];

export const ATTRIBUTE_METRICS: readonly AttributeMetric[] = [
  // Sources (Flume's SourceCounter; LineTruncatedCount is flowc's tcp source).
  { flume: "EventReceivedCount", on: ["SOURCE"], name: "event_received_total", type: "counter", help: "Events received from clients." },
  { flume: "EventAcceptedCount", on: ["SOURCE"], name: "event_accepted_total", type: "counter", help: "Events put into the source's channels." },
  { flume: "AppendReceivedCount", on: ["SOURCE"], name: "append_received_total", type: "counter", help: "Single-event append requests received." },
  { flume: "AppendAcceptedCount", on: ["SOURCE"], name: "append_accepted_total", type: "counter", help: "Single-event append requests accepted." },
  { flume: "AppendBatchReceivedCount", on: ["SOURCE"], name: "append_batch_received_total", type: "counter", help: "Batch append requests received." },
  { flume: "AppendBatchAcceptedCount", on: ["SOURCE"], name: "append_batch_accepted_total", type: "counter", help: "Batch append requests accepted." },
  { flume: "OpenConnectionCount", on: ["SOURCE"], name: "open_connections", type: "gauge", help: "Client connections open now." },
  { flume: "EventReadFail", on: ["SOURCE"], name: "event_read_fail_total", type: "counter", help: "Events that could not be read or decoded." },
  { flume: "ChannelWriteFail", on: ["SOURCE"], name: "channel_write_fail_total", type: "counter", help: "Batches a channel refused; the source pushed back and retried them." },
  { flume: "GenericProcessingFail", on: ["SOURCE"], name: "generic_processing_fail_total", type: "counter", help: "Other failures to process input." },
  { flume: "LineTruncatedCount", on: ["SOURCE"], name: "line_truncated_total", type: "counter", help: "Lines longer than max_line_length, cut to it." },
  { flume: "KafkaEventGetTimer", on: ["SOURCE", "CHANNEL"], name: "kafka_event_get_seconds_total", type: "counter", divisor: MS, help: "Time spent fetching from Kafka." },
  { flume: "KafkaCommitTimer", on: ["SOURCE", "CHANNEL"], name: "kafka_commit_seconds_total", type: "counter", divisor: MS, help: "Time spent committing Kafka offsets." },
  { flume: "KafkaEmptyCount", on: ["SOURCE"], name: "kafka_empty_total", type: "counter", help: "Kafka polls that returned no records." },
  // Channels (ChannelCounter, FileChannelCounter with flowc's CorruptRecordCount, SyncCount and CheckpointCount,
  // KafkaChannelCounter).
  { flume: "ChannelSize", on: ["CHANNEL"], name: "size", type: "gauge", help: "Events in the channel now." },
  { flume: "ChannelCapacity", on: ["CHANNEL"], name: "capacity", type: "gauge", help: "Most events the channel holds." },
  { flume: "ChannelFillPercentage", on: ["CHANNEL"], name: "fill_ratio", type: "gauge", divisor: 100, javaDouble: true, help: "Size divided by capacity, from 0 to 1 (Flume's ChannelFillPercentage / 100)." },
  { flume: "EventPutAttemptCount", on: ["CHANNEL"], name: "event_put_attempt_total", type: "counter", help: "Events offered to the channel in put transactions." },
  { flume: "EventPutSuccessCount", on: ["CHANNEL"], name: "event_put_success_total", type: "counter", help: "Events committed into the channel." },
  { flume: "EventTakeAttemptCount", on: ["CHANNEL"], name: "event_take_attempt_total", type: "counter", help: "Take attempts: one per event taken, plus one per take that found the channel empty." },
  { flume: "EventTakeSuccessCount", on: ["CHANNEL"], name: "event_take_success_total", type: "counter", help: "Events taken out of the channel by committed transactions." },
  { flume: "Open", on: ["CHANNEL"], name: "open", type: "gauge", help: "1 from a successful start until stop (file channel)." },
  { flume: "Closed", on: ["CHANNEL"], name: "closed", type: "gauge", help: "1 once the channel is closed (file channel)." },
  { flume: "Unhealthy", on: ["CHANNEL"], name: "unhealthy", type: "gauge", help: "1 while puts are refused: free space is low, or the last write or fsync failed (file channel)." },
  { flume: "EventPutErrorCount", on: ["CHANNEL"], name: "event_put_error_total", type: "counter", help: "Events whose put was refused or failed because of the disk (file channel)." },
  { flume: "EventTakeErrorCount", on: ["CHANNEL"], name: "event_take_error_total", type: "counter", help: "Events lost when taken: their record could not be read back or failed its checksum (file channel)." },
  { flume: "CheckpointWriteErrorCount", on: ["CHANNEL"], name: "checkpoint_write_error_total", type: "counter", help: "Checkpoints that could not be written (file channel)." },
  { flume: "CheckpointBackupWriteErrorCount", on: ["CHANNEL"], name: "checkpoint_backup_write_error_total", type: "counter", help: "Checkpoint backups that could not be written (file channel)." },
  { flume: "CorruptRecordCount", on: ["CHANNEL"], name: "corrupt_record_total", type: "counter", help: "Torn or damaged records found, at replay or when reading an event back (file channel)." },
  { flume: "SyncCount", on: ["CHANNEL"], name: "sync_total", type: "counter", help: "fsync rounds, one per group commit (file channel)." },
  { flume: "CheckpointCount", on: ["CHANNEL"], name: "checkpoint_total", type: "counter", help: "Checkpoints written (file channel)." },
  { flume: "KafkaEventSendTimer", on: ["CHANNEL", "SINK"], name: "kafka_event_send_seconds_total", type: "counter", divisor: MS, help: "Time spent sending to Kafka." },
  { flume: "RollbackCount", on: ["CHANNEL", "SINK"], name: "rollback_total", type: "counter", help: "Transactions rolled back." },
  // Sinks and sink groups (SinkCounter).
  { flume: "ConnectionCreatedCount", on: SINKS, name: "connection_created_total", type: "counter", help: "Connections (or files) the sink opened." },
  { flume: "ConnectionClosedCount", on: SINKS, name: "connection_closed_total", type: "counter", help: "Connections (or files) the sink closed." },
  { flume: "ConnectionFailedCount", on: SINKS, name: "connection_failed_total", type: "counter", help: "Connections (or files) the sink failed to open." },
  { flume: "BatchEmptyCount", on: SINKS, name: "batch_empty_total", type: "counter", help: "Takes that found the channel empty." },
  { flume: "BatchUnderflowCount", on: SINKS, name: "batch_underflow_total", type: "counter", help: "Batches smaller than the batch size." },
  { flume: "BatchCompleteCount", on: SINKS, name: "batch_complete_total", type: "counter", help: "Batches of the full batch size." },
  { flume: "EventDrainAttemptCount", on: SINKS, name: "event_drain_attempt_total", type: "counter", help: "Events taken to deliver, retries included." },
  { flume: "EventDrainSuccessCount", on: SINKS, name: "event_drain_success_total", type: "counter", help: "Events delivered." },
  { flume: "EventWriteFail", on: SINKS, name: "event_write_fail_total", type: "counter", help: "Events in deliveries that failed (they are retried)." },
  { flume: "ChannelReadFail", on: SINKS, name: "channel_read_fail_total", type: "counter", help: "Takes from the channel that failed." },
  // Every component.
  { flume: "StartTime", on: ALL, name: "start_time_seconds", type: "gauge", divisor: MS, help: "When the component started, in seconds since the Unix epoch (0 before it started)." },
  { flume: "StopTime", on: ALL, name: "stop_time_seconds", type: "gauge", divisor: MS, help: "When the component stopped, in seconds since the Unix epoch (0 while it runs)." },
];

const BY_FLUME_NAME = new Map(ATTRIBUTE_METRICS.map((metric) => [metric.flume, metric]));

/** The catalogue entry for Flume attribute `flume`, if it has one. */
export function attributeMetric(flume: string): AttributeMetric | undefined {
  return BY_FLUME_NAME.get(flume);
}

const TYPE_PREFIX: Readonly<Record<ComponentType, string>> = {
  SOURCE: "flowc_source_",
  CHANNEL: "flowc_channel_",
  SINK_PROCESSOR: "flowc_sink_group_",
  SINK: "flowc_sink_",
};

/** The full Prometheus name of an attribute's metric for a component type, e.g. `flowc_source_event_received_total`. */
export function prometheusName(type: ComponentType, metricName: string): string {
  return TYPE_PREFIX[type] + metricName;
}

/**
 * The metric name an attribute missing from the catalogue gets (exported as `untyped`, since whether it
 * only grows is unknown): Flume's name in snake_case, other characters replaced by `_`.
 */
export function fallbackMetricName(flume: string): string {
  return flume
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
}
