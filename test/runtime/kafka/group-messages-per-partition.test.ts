import { createRequire } from "node:module";
import type { Message, PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { bundleAgent } from "../../../compiler/build/bundle";
import { groupMessagesPerPartition } from "../../../runtime/kafka/group-messages-per-partition";
import { createPrng } from "../../helpers/prng";

const require = createRequire(import.meta.url);
type Grouping = typeof groupMessagesPerPartition;
const original = require("kafkajs/src/producer/groupMessagesPerPartition") as Grouping;

describe("the kafkajs grouping agents bundle instead of kafkajs's own", () => {
  it("groups exactly as kafkajs 2.2.4 does: the same partitions, each in the order given", () => {
    const random = createPrng(8);
    for (let round = 0; round < 50; round++) {
      const partitions = random.int(1, 6);
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1 }) as PartitionMetadata);
      const messages: Message[] = Array.from({ length: random.int(0, 300) }, (_, i) => ({ value: `m${i}`, partition: random.int(0, partitions - 1) }));
      const partitioner = ({ message }: { message: Message }): number => message.partition as number;
      const args = { topic: "t", partitionMetadata, messages, partitioner };
      expect(groupMessagesPerPartition(args)).toEqual(original(args));
    }
    expect(groupMessagesPerPartition({ topic: "t", partitionMetadata: [], messages: [{ value: "x" }], partitioner: () => 0 })).toEqual({});
  });

  it("is what a bundled agent's kafkajs producer calls", async () => {
    const code = await bundleAgent('import "kafkajs/src/producer/sendMessages";\n', "entry.ts");
    expect(code).toContain("list.push(message)");
    expect(code).not.toContain("[...current, message]");
  });
});
