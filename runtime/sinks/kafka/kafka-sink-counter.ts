import { SinkCounter } from "../../metrics/counters";

/**
 * Flume's `KafkaSinkCounter` (the sink counters plus `KafkaEventSendTimer` and `RollbackCount`), and the
 * counts of what the sink did instead of what an event's headers asked. Plain fields, as in `SinkCounter`.
 */
export class KafkaSinkCounter extends SinkCounter {
  /** Milliseconds spent in produce requests (successful or not), as Flume's timer. */
  KafkaEventSendTimer = 0;
  /** Batches that failed (connection, broker errors, an oversize record with `on_oversize = fail`): the runner rolls them back. */
  RollbackCount = 0;
  /** Records larger than `max_request_bytes` discarded (`on_oversize = drop`); they also count as drained. */
  EventDropCount = 0;
  /** Events sent to `default_topic` because their headers could not form the `topic` template. */
  TopicFallbackCount = 0;
  /** Events whose `partition_header` was not a partition of the topic: the partitioner chose instead. */
  PartitionFallbackCount = 0;
  /** Events whose `timestamp_header` was missing or not a number: the record has the time it was sent. */
  TimestampFallbackCount = 0;
}
