import { SourceCounter } from "../../metrics/counters";

/** Flume's KafkaSourceCounter: the SourceCounter plus the time spent talking to Kafka (each in the metrics catalogue). */
export class KafkaSourceCounter extends SourceCounter {
  /** Milliseconds spent in fetch requests (waiting for records included, up to `batch_duration` each). */
  KafkaEventGetTimer = 0;
  /** Milliseconds spent committing offsets to the group coordinator. */
  KafkaCommitTimer = 0;
  /** Fetches that brought no records. */
  KafkaEmptyCount = 0;
}
