import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaMockCluster, kcat } from "../../helpers/kafka-mock";

// The test Kafka itself: if this fails, the Kafka component tests below cannot mean anything.
describe("the librdkafka mock cluster the Kafka tests use", () => {
  let cluster: KafkaMockCluster;
  beforeAll(async () => {
    cluster = await KafkaMockCluster.start({ brokers: 3, topics: [{ name: "smoke", partitions: 3 }] });
  });
  afterAll(() => cluster.stop());

  it("carries records and headers between two kcat clients over the Kafka protocol", () => {
    kcat(["-P", "-b", cluster.bootstrap, "-t", "smoke", "-p", "0", "-H", "origin=test"], "one\ntwo\n");
    const read = kcat(["-C", "-b", cluster.bootstrap, "-t", "smoke", "-p", "0", "-e", "-q", "-f", "%s|%h\n"]);
    expect(read.trim().split("\n")).toEqual(["one|origin=test", "two|origin=test"]);
  });

  it("answers commands and refuses unknown ones", async () => {
    await cluster.pushErrors(0, [6]);
    await expect(cluster.command("frobnicate")).rejects.toThrow(/unknown command/);
    await cluster.brokerDown(2);
    await cluster.brokerUp(2);
  });
});
