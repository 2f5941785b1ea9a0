import { afterAll, beforeAll } from "vitest";
import { KafkaMockCluster, kcat } from "../helpers/kafka-mock";
import { freshGroup, kafkaSource } from "../helpers/kafka-source";
import { sourceCompliance } from "./source-compliance";

// The source's real input is a Kafka topic: the test sender is kcat (an independent librdkafka client)
// producing to librdkafka's mock cluster. One partition, so the harness's order checks apply.
let cluster: KafkaMockCluster;
let topics = 0;

beforeAll(async () => {
  cluster = await KafkaMockCluster.start({ brokers: 1 });
});
afterAll(() => cluster.stop());

sourceCompliance("kafka", async ({ processor, batchSize }) => {
  const topic = `compliance-${++topics}`;
  await cluster.createTopic(topic, 1);
  const source = kafkaSource("compliance", cluster.brokers, processor, { topics: [topic], group_id: freshGroup("compliance"), batch_size: batchSize });
  return {
    source,
    // Kafka keeps what the source has not taken yet: a sender never waits for the source.
    async send(bodies) {
      if (bodies.length > 0) kcat(["-P", "-b", cluster.bootstrap, "-t", topic], `${bodies.join("\n")}\n`);
    },
    async cleanup() {},
  };
});
