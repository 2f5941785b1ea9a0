import { ChannelCounter } from "../../metrics/counters";

/**
 * Flume's `KafkaChannelCounter`: the channel counters plus the time spent talking to Kafka (milliseconds)
 * and the take transactions rolled back. Plain fields, as in `ChannelCounter`.
 */
export class KafkaChannelCounter extends ChannelCounter {
  /** Time the consumer spent in fetch requests. */
  KafkaEventGetTimer = 0;
  /** Time the producer spent sending the put events, retries included. */
  KafkaEventSendTimer = 0;
  /** Time spent committing consumer offsets. */
  KafkaCommitTimer = 0;
  RollbackCount = 0;
  /** Events dropped because Kafka refused them for good (a record larger than the brokers accept). */
  EventPutErrorCount = 0;
}
