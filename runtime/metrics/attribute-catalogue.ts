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
  // Sources (Flume's SourceCounter; then flowc's own, of the tcp and spooldir sources).
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
  { flume: "LineTruncatedCount", on: ["SOURCE"], name: "line_truncated_total", type: "counter", help: "Lines longer than max_line_length, cut to it (tcp, spooldir, exec, stdin, taildir)." },
  { flume: "CommandStartCount", on: ["SOURCE"], name: "command_start_total", type: "counter", help: "Runs of the command started: the first and every restart (exec)." },
  { flume: "CommandFailCount", on: ["SOURCE"], name: "command_fail_total", type: "counter", help: "Runs of the command that ended with a non-zero exit code or a signal the agent did not send, or could not be started (exec)." },
  { flume: "StderrLineCount", on: ["SOURCE"], name: "stderr_line_total", type: "counter", help: "Lines the command wrote to stderr, logged (exec)." },
  { flume: "LastExitStatus", on: ["SOURCE"], name: "last_exit_status", type: "gauge", help: "How the command's last run ended: its exit code, or 128 + the signal's number; -1 before it first ended (exec)." },
  { flume: "LineDiscardedCount", on: ["SOURCE"], name: "line_discarded_total", type: "counter", help: "Lines longer than max_line_length, left out with long_lines = discard (tcp, spooldir)." },
  { flume: "ConnectionRejectedCount", on: ["SOURCE"], name: "connection_rejected_total", type: "counter", help: "Connections closed at once because max_connections were open (tcp, syslog, listen)." },
  { flume: "FileCompletedCount", on: ["SOURCE"], name: "file_completed_total", type: "counter", help: "Files read to their end and marked done: renamed with the completed suffix or deleted (spooldir)." },
  { flume: "FileFailedCount", on: ["SOURCE"], name: "file_failed_total", type: "counter", help: "Files given up on: changed while being read (renamed with .FAILED) or unreadable (spooldir)." },
  { flume: "PendingFileCount", on: ["SOURCE"], name: "pending_files", type: "gauge", help: "Files waiting in the directory to be read, as of the last scan (spooldir)." },
  { flume: "RequestTooLargeCount", on: ["SOURCE"], name: "request_too_large_total", type: "counter", help: "Requests answered 413: a body over max_body_size or more events than batch_size (http)." },
  { flume: "UnauthorizedCount", on: ["SOURCE"], name: "unauthorized_total", type: "counter", help: "Requests answered 401: no or a wrong bearer token (http)." },
  { flume: "RouteMismatchCount", on: ["SOURCE"], name: "route_mismatch_total", type: "counter", help: "Requests answered 404 (another path) or 405 (another method than POST) (http)." },
  { flume: "BadConnectionCount", on: ["SOURCE"], name: "bad_connection_total", type: "counter", help: "Connections closed over what the client sent: not HTTP, a failed TLS handshake, headers too large, too slow (http)." },
  { flume: "MessageInvalidCount", on: ["SOURCE"], name: "message_invalid_total", type: "counter", help: "Messages that are not valid syslog, kept with flume.syslog.status = Invalid (syslog)." },
  { flume: "MessageIncompleteCount", on: ["SOURCE"], name: "message_incomplete_total", type: "counter", help: "Messages cut to max_message_size or cut off by the end of their connection, kept with flume.syslog.status = Incomplete (syslog)." },
  { flume: "FramingErrorCount", on: ["SOURCE"], name: "framing_error_total", type: "counter", help: "Octet-counted TCP frames without a valid length, read up to the next newline instead (syslog)." },
  { flume: "DatagramDroppedCount", on: ["SOURCE"], name: "datagram_dropped_total", type: "counter", help: "UDP messages dropped because the channel was full and udp_buffer_size reached (syslog)." },
  { flume: "OpenFileCount", on: ["SOURCE"], name: "open_files", type: "gauge", help: "Files open now (taildir)." },
  { flume: "FileRotatedCount", on: ["SOURCE"], name: "file_rotated_total", type: "counter", help: "Followed files renamed away or to another matched name, read to their end (taildir)." },
  { flume: "FileDeletedCount", on: ["SOURCE"], name: "file_deleted_total", type: "counter", help: "Followed files deleted, read to their end (taildir)." },
  { flume: "FileTruncatedCount", on: ["SOURCE"], name: "file_truncated_total", type: "counter", help: "Followed files found truncated or rewritten in place (copytruncate), read again from their start (taildir)." },
  { flume: "FileReadFail", on: ["SOURCE"], name: "file_read_fail_total", type: "counter", help: "Failures to open or read a file, such as permission denied; retried at every poll (taildir)." },
  { flume: "PositionWriteFail", on: ["SOURCE"], name: "position_write_fail_total", type: "counter", help: "Failures to write the position file; retried (taildir)." },
  { flume: "MultilineSplitCount", on: ["SOURCE"], name: "multiline_split_total", type: "counter", help: "Multi-line events handed on early because they reached max_line_length (taildir)." },
  { flume: "AckSentCount", on: ["SOURCE"], name: "ack_sent_total", type: "counter", help: "Chunks acknowledged to their sender once their events were committed (listen)." },
  { flume: "ProtocolErrorCount", on: ["SOURCE"], name: "protocol_error_total", type: "counter", help: "Connections closed for malformed msgpack, a value of the wrong type or a message over max_message_size; nothing of the message was accepted (listen)." },
  { flume: "AuthFailureCount", on: ["SOURCE", "SINK"], name: "auth_failure_total", type: "counter", help: "Forward handshakes refused: a wrong shared key, user or password (listen, forward)." },
  { flume: "TlsFailureCount", on: ["SOURCE"], name: "tls_failure_total", type: "counter", help: "TLS handshakes that failed, such as a client without a trusted certificate (listen)." },
  { flume: "ChunkAbandonedCount", on: ["SOURCE"], name: "chunk_abandoned_total", type: "counter", help: "Chunks whose sender left while they waited for room: not acknowledged, so the sender resends them (listen)." },
  { flume: "HeartbeatCount", on: ["SOURCE"], name: "heartbeat_total", type: "counter", help: "UDP heartbeats answered (listen)." },
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
  { flume: "EventPutErrorCount", on: ["CHANNEL"], name: "event_put_error_total", type: "counter", help: "Events whose put was refused or failed because of the disk (file channel), or that Kafka refused for good, such as a record too large for the brokers (kafka channel)." },
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
  { flume: "BatchDropCount", on: ["SINK"], name: "batch_drop_total", type: "counter", help: "Batches a server refused with a 4xx that on_4xx = drop discarded (http)." },
  { flume: "EventDropCount", on: ["SINK"], name: "event_drop_total", type: "counter", help: "Events discarded and also counted as drained: in batches on_4xx = drop discarded (http), records larger than max_request_bytes (kafka)." },
  { flume: "TimestampFallbackCount", on: ["SINK"], name: "timestamp_fallback_total", type: "counter", help: "Events whose path used the agent's clock because their timestamp header was missing or not a number (files), or whose record got the send time (kafka)." },
  { flume: "TopicFallbackCount", on: ["SINK"], name: "topic_fallback_total", type: "counter", help: "Events sent to default_topic because their headers could not form the topic template (kafka)." },
  { flume: "PartitionFallbackCount", on: ["SINK"], name: "partition_fallback_total", type: "counter", help: "Events whose partition_header was not a partition of the topic, placed by the partitioner instead (kafka)." },
  { flume: "ChunkSentCount", on: ["SINK"], name: "chunk_sent_total", type: "counter", help: "Forward messages (chunks) sent, retries included (forward)." },
  { flume: "AckReceivedCount", on: ["SINK"], name: "ack_received_total", type: "counter", help: "Chunk acknowledgements received (forward)." },
  { flume: "AckTimeoutCount", on: ["SINK"], name: "ack_timeout_total", type: "counter", help: "Batches retried because their acknowledgements did not come within ack_timeout (forward)." },
  { flume: "BytesSentCount", on: ["SINK"], name: "bytes_sent_total", type: "counter", help: "Bytes written to the receiver, after compression (forward)." },
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
