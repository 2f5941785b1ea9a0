import { Partitioners, type ICustomPartitioner } from "kafkajs";

/**
 * Keyed records (`key_header`) go where Kafka's Java client would put them (murmur2 of the key, kafkajs's
 * DefaultPartitioner), so other producers and consumers agree; keyless records go round-robin over the
 * partitions that have a leader, spreading the buffer over every consumer of the group. kafkajs's own
 * choice for keyless records is random, which leaves partitions unevenly filled over short runs.
 */
export const roundRobinPartitioner: ICustomPartitioner = () => {
  const keyed = Partitioners.DefaultPartitioner();
  let next = 0;
  return (args) => {
    if (args.message.key !== undefined && args.message.key !== null) return keyed(args);
    const partitions = args.partitionMetadata;
    const n = partitions.length;
    for (let tries = 0; tries < n; tries++) {
      const candidate = partitions[next++ % n];
      if (candidate !== undefined && candidate.leader >= 0) return candidate.partitionId;
    }
    return partitions[next++ % n]?.partitionId ?? 0;
  };
};
