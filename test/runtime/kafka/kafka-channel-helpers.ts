import { KafkaChannel, type KafkaChannelConfig } from "../../../runtime/channels/kafka/kafka-channel";
import { kafkaChannelSpec } from "../../../runtime/channels/kafka/spec";
import type { Logger } from "../../../runtime/core/log";
import { silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";

/**
 * A Kafka channel on the mock cluster with timeouts short enough for tests: the mock's first group join
 * takes about 3 s, and a stop must not wait the production defaults.
 */
export function kafkaChannel(name: string, brokers: readonly string[], values: Partial<KafkaChannelConfig> = {}): KafkaChannel {
  return new KafkaChannel(
    name,
    configOf(kafkaChannelSpec, {
      brokers: [...brokers],
      session_timeout: 6_000,
      heartbeat_interval: 500,
      // Generous for a loaded 2-core CI machine: a member that does not rejoin within the rebalance
      // timeout is dropped and rejoins, which starts the next rebalance. JoinGroup waits up to the
      // rebalance timeout, and kafkajs gives it the plain request timeout, so that one is longer.
      rebalance_timeout: 10_000,
      request_timeout: 15_000,
      connect_timeout: 2_000,
      transaction_capacity: 100,
      ...values,
    }),
  );
}

/** Starts `channel` with `log` (silent by default) and remembers it in `started` for cleanup. */
export async function startChannel(channel: KafkaChannel, started: KafkaChannel[], log: Logger = silentLogger()): Promise<KafkaChannel> {
  started.push(channel);
  await channel.start(log);
  return channel;
}

let groups = 0;
/** A consumer group no other test uses. */
export function freshGroup(): string {
  return `channel-group-${process.pid}-${++groups}`;
}
