import type { ChannelProcessor } from "../../runtime/core/component";
import { KafkaSource, type KafkaSourceConfig } from "../../runtime/sources/kafka/kafka-source";
import { kafkaSourceSpec } from "../../runtime/sources/kafka/spec";
import { configOf } from "./spec-config";

let groups = 0;

/** A group id no other test uses (the mock cluster outlives a test file's tests). */
export function freshGroup(prefix = "g"): string {
  groups++;
  return `${prefix}-${process.pid}-${groups}-${Date.now()}`;
}

/**
 * A kafka source tuned for the mock cluster: short fetch waits and session timeouts, so pausing,
 * resuming and rebalancing happen in test time.
 */
export function kafkaSource(name: string, brokers: readonly string[], processor: ChannelProcessor, values: Partial<KafkaSourceConfig>): KafkaSource {
  const config = configOf(kafkaSourceSpec, {
    brokers,
    start_from: "earliest",
    batch_duration: 100,
    session_timeout: 6_000,
    heartbeat_interval: 500,
    rebalance_timeout: 6_000,
    connect_timeout: 3_000,
    request_timeout: 5_000,
    ...values,
  } as Partial<KafkaSourceConfig>);
  return new KafkaSource(name, config, processor);
}
