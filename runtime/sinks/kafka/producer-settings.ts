import { CompressionTypes, type KafkaConfig, type ProducerConfig } from "kafkajs";
import type { Logger } from "../../core/log";
import { kafkaClientConfig } from "../../kafka/client-config";
import type { ConfigOf } from "../../spec";
import type { KafkaSinkCounter } from "./kafka-sink-counter";
import { headerSafePartitioner } from "./partitioner";
import type { kafkaSinkSpec } from "./spec";

export type KafkaSinkConfig = ConfigOf<typeof kafkaSinkSpec>;

/** Everything the sink hands KafkaJS, derived from its settings in one place (and tested there). */
export interface ProducerSettings {
  readonly client: KafkaConfig;
  readonly producer: ProducerConfig;
  /** Kafka's `acks`: -1 all in-sync replicas, 1 the leader, 0 none. */
  readonly acks: -1 | 0 | 1;
  readonly compression: CompressionTypes;
}

const ACKS = { all: -1, leader: 1, none: 0 } as const;
const COMPRESSION = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

/** Reads the TLS files (a missing one is a `UserFacingError` naming the property). */
export function producerSettings(name: string, config: KafkaSinkConfig, counter: KafkaSinkCounter, log: Logger): ProducerSettings {
  return {
    client: kafkaClientConfig(`sink \`${name}\``, config, log),
    producer: {
      createPartitioner: headerSafePartitioner(config.partitioner, counter),
      idempotent: config.idempotent,
      // The idempotent producer keeps order only with one request in flight per broker.
      maxInFlightRequests: config.idempotent ? 1 : undefined,
    },
    acks: ACKS[config.acks],
    compression: COMPRESSION[config.compression],
  };
}
