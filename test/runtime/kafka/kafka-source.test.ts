import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import type { ChannelProcessor } from "../../../runtime/core/component";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import type { KafkaSource } from "../../../runtime/sources/kafka/kafka-source";
import { consume, takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { KafkaMockCluster, kcat } from "../../helpers/kafka-mock";
import { freshGroup, kafkaSource } from "../../helpers/kafka-source";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { waitFor } from "../../helpers/wait-for";

/** Lines `prefix-000000` … for kcat's stdin, one record each. */
function lines(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(6, "0")}`);
}

// The mock's first group join takes about 3 s, each restart or rebalance a few more.
describe("kafka source", { timeout: 60_000 }, () => {
  let cluster: KafkaMockCluster;
  const sources: KafkaSource[] = [];

  beforeAll(async () => {
    cluster = await KafkaMockCluster.start({ brokers: 1 });
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
  });
  afterAll(() => cluster.stop());

  const topic = (partitions = 1): Promise<string> => cluster.newTopic("src", partitions);
  const committed = (group: string, name: string): Promise<number[]> => cluster.committedOffsets(group, name);

  function channelAndProcessor(capacity = 100_000, transactionCapacity = 100): { channel: MemoryChannel; processor: ReplicatingProcessor } {
    const channel = memoryChannel("c", { capacity, transaction_capacity: transactionCapacity });
    return { channel, processor: new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] }) };
  }

  async function started(source: KafkaSource): Promise<KafkaSource> {
    sources.push(source);
    await source.start(silentLogger());
    return source;
  }


  it("turns records fed by kcat into events: value, key, Kafka headers, topic, partition, offset, timestamp", async () => {
    const name = await topic();
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    await started(kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: freshGroup() }));
    const before = Date.now();
    kcat(["-P", "-b", cluster.bootstrap, "-t", name, "-K", ":", "-H", "app=web", "-H", "env=prod"], "k1:first\nk2:second\n");
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], "no key\n");
    const events = await consume(channel, { count: 3, timeoutMs: 15_000 });
    expect(bodies(events)).toEqual(["first", "second", "no key"]);
    const [first, , third] = events as [FlowEvent, FlowEvent, FlowEvent];
    expect(first.headers).toMatchObject({ app: "web", env: "prod", key: "k1", topic: name, partition: "0", offset: "0" });
    expect(Number(first.headers.timestamp)).toBeGreaterThanOrEqual(before - 5_000);
    expect(Number(first.headers.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(third.headers).not.toHaveProperty("key");
    expect(third.headers.offset).toBe("2");
  });

  it("sets the metadata headers under the configured names, none for an empty name, and a null value as an empty body", async () => {
    const name = await topic();
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    const config = { topics: [name], group_id: freshGroup(), topic_header: "kafka_topic", partition_header: "", offset_header: "", key_header: "k", timestamp_header: "" };
    await started(kafkaSource("in", cluster.brokers, processor, config));
    // -Z: an empty line is sent as a NULL value (a tombstone).
    kcat(["-P", "-b", cluster.bootstrap, "-t", name, "-Z", "-K", ":"], "a:\n");
    const [event] = (await consume(channel, { count: 1, timeoutMs: 15_000 })) as [FlowEvent];
    expect(event.body.length).toBe(0);
    expect(event.headers).toEqual({ kafka_topic: name, k: "a" });
  });

  it("commits offsets only for records the channel committed, and a new member of the group resumes there", async () => {
    const name = await topic();
    const group = freshGroup();
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    const first = await started(kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: group, batch_size: 50 }));
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], `${lines("r", 300).join("\n")}\n`);
    expect(bodies(await consume(channel, { count: 300, timeoutMs: 15_000 }))).toEqual(lines("r", 300));
    await waitFor("offset 300 committed", async () => (await committed(group, name))[0] === 300, 10_000, 100);
    await waitFor("an empty fetch counted", () => first.counter.KafkaEmptyCount > 0, 5_000);
    await first.stop();
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], `${lines("r", 100, 300).join("\n")}\n`);
    await started(kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: group }));
    const after = await consume(channel, { count: 100, timeoutMs: 15_000 });
    expect(bodies(after)).toEqual(lines("r", 100, 300));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(takeAll(channel)).toEqual([]);
    expect(first.counter.EventReceivedCount).toBe(300);
    expect(first.counter.EventAcceptedCount).toBe(300);
    expect(first.counter.KafkaCommitTimer).toBeGreaterThanOrEqual(0);
    expect(first.counter.KafkaEventGetTimer).toBeGreaterThan(0);
  });

  it("pauses while the channel is full, commits nothing past what it put, and resumes without loss or duplicates", async () => {
    const name = await topic();
    const group = freshGroup();
    const { channel, processor } = channelAndProcessor(40, 20);
    await channel.start();
    const source = await started(kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: group, batch_size: 20 }));
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], `${lines("p", 1_000).join("\n")}\n`);
    await waitFor("the channel to refuse a batch", () => source.counter.ChannelWriteFail > 0, 15_000);
    // Paused, with nobody taking: the committed offset never passes what the channel holds.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [offset = -1] = await committed(group, name);
      expect(offset).toBeLessThanOrEqual(channel.size());
      expect(channel.size()).toBeLessThanOrEqual(40);
    }
    const got = await consume(channel, { count: 1_000, timeoutMs: 30_000, maxPerTake: 7 });
    expect(bodies(got)).toEqual(lines("p", 1_000));
    expect(source.counter.EventAcceptedCount).toBe(1_000);
    expect(source.counter.EventReceivedCount).toBe(1_000);
    await waitFor("offset 1000 committed", async () => (await committed(group, name))[0] === 1_000, 10_000, 100);
  });

  it("after a failure before the channel made a batch durable, the group resumes from the last commit: only that batch repeats", async () => {
    const name = await topic();
    const group = freshGroup();
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    // The channel "crashes" before the second batch is durable: its offsets must not be committed.
    let durableCalls = 0;
    const failing: ChannelProcessor = {
      process: (events) => processor.process(events),
      whenWritable: () => processor.whenWritable(),
      whenDurable: () => (++durableCalls >= 2 ? Promise.reject(new Error("disk gone")) : processor.whenDurable()),
    };
    const first = await started(kafkaSource("in", cluster.brokers, failing, { topics: [name], group_id: group, batch_size: 100 }));
    kcat(["-P", "-b", cluster.bootstrap, "-t", name, "-p", "0"], `${lines("c", 100).join("\n")}\n`);
    await waitFor("the first batch durable", () => durableCalls >= 1 && first.counter.EventAcceptedCount >= 100, 15_000);
    await waitFor("offset 100 committed", async () => (await committed(group, name))[0] === 100, 10_000, 100);
    kcat(["-P", "-b", cluster.bootstrap, "-t", name, "-p", "0"], `${lines("c", 100, 100).join("\n")}\n`);
    await waitFor("the second batch to fail", () => durableCalls >= 2, 15_000);
    await first.stop();
    expect(await committed(group, name)).toEqual([100]);
    const beforeRestart = bodies(takeAll(channel));
    await started(kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: group }));
    const again = bodies(await consume(channel, { count: 100, timeoutMs: 15_000 }));
    // Everything arrived; what repeats is exactly the batch that was never committed.
    expect(again).toEqual(lines("c", 100, 100));
    expect(beforeRestart.slice(0, 100)).toEqual(lines("c", 100));
    const repeated = beforeRestart.slice(100);
    expect(repeated).toEqual(lines("c", repeated.length, 100));
    expect(first.counter.GenericProcessingFail).toBeGreaterThan(0);
  });

  it("starts from the latest offset when the group has none and start_from = latest", async () => {
    const name = await topic();
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], "old-1\nold-2\n");
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    const source = await started(kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: freshGroup(), start_from: "latest" }));
    await waitFor("the group join", () => source.assignedPartitions > 0, 15_000);
    // The join fetches the start offsets right after it is reported: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], "new-1\n");
    expect(bodies(await consume(channel, { count: 1, timeoutMs: 15_000 }))).toEqual(["new-1"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(takeAll(channel)).toEqual([]);
  });

  it("consumes every topic matching topics_pattern, and only those", async () => {
    const prefix = `pat${Date.now() % 100_000}`;
    await cluster.createTopic(`${prefix}-a`, 1);
    await cluster.createTopic(`${prefix}-b`, 2);
    await cluster.createTopic(`other-${prefix}`, 1);
    kcat(["-P", "-b", cluster.bootstrap, "-t", `${prefix}-a`], "a1\n");
    kcat(["-P", "-b", cluster.bootstrap, "-t", `${prefix}-b`, "-p", "1"], "b1\n");
    kcat(["-P", "-b", cluster.bootstrap, "-t", `other-${prefix}`], "x1\n");
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    await started(kafkaSource("in", cluster.brokers, processor, { topics_pattern: `/^${prefix}-/`, group_id: freshGroup() }));
    const events = await consume(channel, { count: 2, timeoutMs: 15_000 });
    expect(events.map((e) => `${e.headers.topic}/${e.headers.partition}:${e.bodyText()}`).sort()).toEqual([`${prefix}-a/0:a1`, `${prefix}-b/1:b1`]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(takeAll(channel)).toEqual([]);
  });

  it("keeps trying while the brokers are down, and consumes once they are back", async () => {
    const name = await topic();
    kcat(["-P", "-b", cluster.bootstrap, "-t", name], "waited\n");
    const { channel, processor } = channelAndProcessor();
    await channel.start();
    await cluster.brokerDown(-1);
    const recorded = recordingLogger();
    const source = kafkaSource("in", cluster.brokers, processor, { topics: [name], group_id: freshGroup(), connect_timeout: 1_000 });
    sources.push(source);
    try {
      await expect(source.start(recorded.log)).resolves.toMatch(/^kafka:\/\//);
      await waitFor("a warning about the brokers", () => recorded.lines.some((line) => /unreachable|cannot consume/.test(line)), 10_000);
    } finally {
      await cluster.brokerUp(-1);
    }
    expect(bodies(await consume(channel, { count: 1, timeoutMs: 30_000 }))).toEqual(["waited"]);
  });

  it("refuses settings it cannot use with a message naming the source", async () => {
    const { processor } = channelAndProcessor();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ topics: ["a"], topics_pattern: "/a/" }, /both topics and topics_pattern/],
      [{}, /needs topics .* or topics_pattern/],
      [{ topics: ["bad topic"] }, /not a Kafka topic name/],
      [{ topics: ["a"], heartbeat_interval: 6_000 }, /heartbeat_interval .* must be shorter than session_timeout/],
      [{ topics: ["a"], brokers: ["nohost"] }, /not host:port/],
    ];
    for (const [values, message] of cases) {
      const source = kafkaSource("bad", cluster.brokers, processor, { group_id: "g", ...values });
      sources.push(source);
      const failure = source.start(silentLogger());
      await expect(failure).rejects.toBeInstanceOf(UserFacingError);
      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toThrow(/source `bad`/);
    }
  });
});
