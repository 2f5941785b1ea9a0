import { afterAll, beforeAll } from "vitest";
import { KafkaSink } from "../../runtime/sinks/kafka/kafka-sink";
import { kafkaSinkSpec } from "../../runtime/sinks/kafka/spec";
import { KafkaMockCluster } from "../helpers/kafka-mock";
import { configOf } from "../helpers/spec-config";
import { waitFor } from "../helpers/wait-for";
import { readBack } from "../runtime/kafka/read-back";
import { sinkCompliance } from "./sink-compliance";

let cluster: KafkaMockCluster;
let topics = 0;
beforeAll(async () => {
  cluster = await KafkaMockCluster.start({ brokers: 1 });
});
afterAll(() => cluster.stop());

/** Produce requests refused while the destination is broken: more than the harness waits for, few enough to use up quickly. */
const REFUSALS = 8;

sinkCompliance("kafka", async ({ batchSize }) => {
  // A topic per case, read back by kcat, an independent client.
  const topic = `compliance-${++topics}`;
  await cluster.createTopic(topic, 1, 1);
  const sink = new KafkaSink("compliance", configOf(kafkaSinkSpec, { brokers: cluster.brokers, topic, batch_size: batchSize, connect_timeout: 2_000, request_timeout: 5_000 }));
  let broken = false;
  return {
    sink,
    async delivered() {
      return readBack(cluster, topic);
    },
    async breakDestination() {
      // The broker refuses the next produce requests (TOPIC_AUTHORIZATION_FAILED: an ACL revoked), which
      // KafkaJS does not retry: every attempt fails at once and none of the batch is appended.
      broken = true;
      await cluster.pushErrors(0, Array.from({ length: REFUSALS }, () => 29));
    },
    async recover() {
      if (!broken) return;
      broken = false;
      // The mock cannot take pushed errors back: let the retries use them up.
      await waitFor("the refused requests to be used up", () => sink.counter.RollbackCount >= REFUSALS, 20_000);
    },
    mayDuplicateOnRetry: false,
  };
});
