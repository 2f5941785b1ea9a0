import { Partitioners, type ICustomPartitioner } from "kafkajs";
import type { KafkaSinkCounter } from "./kafka-sink-counter";

/**
 * KafkaJS's partitioner (`default`: the Java client's murmur2, or `legacy`), made safe for a partition
 * taken from a header: KafkaJS silently drops a message whose partition is not in the topic's metadata
 * (it finds no leader for it and sends nothing), so a partition the topic does not have is cleared here
 * and the partitioner picks one instead, counted in `PartitionFallbackCount`.
 */
export function headerSafePartitioner(kind: "default" | "legacy", counter: KafkaSinkCounter): ICustomPartitioner {
  const base = kind === "legacy" ? Partitioners.LegacyPartitioner : Partitioners.DefaultPartitioner;
  return () => {
    const partition = base();
    return (args) => {
      const message = args.message;
      const forced = message.partition;
      if (forced !== undefined && forced !== null) {
        // Partition ids are 0…n-1, so a number below the metadata's length is one the topic has.
        if (forced < args.partitionMetadata.length) return forced;
        counter.PartitionFallbackCount++;
        message.partition = undefined;
      }
      return partition(args);
    };
  };
}
