import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import type { ChannelProcessor } from "../../../runtime/core/component";
import type { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import type { KafkaSource } from "../../../runtime/sources/kafka/kafka-source";
import { takeAll } from "../../helpers/channel-io";
import { KafkaMockCluster, kcat } from "../../helpers/kafka-mock";
import { freshGroup, kafkaSource } from "../../helpers/kafka-source";
import { memoryChannel } from "../../helpers/memory-channel";
import { silentLogger } from "../../helpers/silent-logger";
import { waitFor } from "../../helpers/wait-for";

const PARTITIONS = 4;
const ROUNDS = 20;
const PER_ROUND = 25;
/** The sources' batch_size: each chunk is committed before the next is put. */
const BATCH = 50;

/**
 * Two members of one group share a 4-partition topic; one leaves mid-stream. Every record must reach a
 * channel at least once, and what repeats must be what a rebalance may repeat: records whose offsets
 * were not committed yet, i.e. one run of consecutive offsets per partition and rebalance at most, each
 * record read once more per rebalance at most.
 */
describe("kafka source: a 2-member consumer group rebalancing mid-stream", { timeout: 120_000 }, () => {
  let cluster: KafkaMockCluster;
  let topic = "";

  beforeAll(async () => {
    cluster = await KafkaMockCluster.start({ brokers: 1 });
  });
  beforeEach(async () => {
    topic = await cluster.newTopic("shared", PARTITIONS);
  });
  afterAll(() => cluster.stop());

  function member(name: string, group: string, processorFor?: (inner: ChannelProcessor) => ChannelProcessor): { source: KafkaSource; channel: MemoryChannel } {
    const channel = memoryChannel(name, { capacity: 10_000, transaction_capacity: 100 });
    const inner = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
    const processor = processorFor === undefined ? inner : processorFor(inner);
    return { channel, source: kafkaSource(name, cluster.brokers, processor, { topics: [topic], group_id: group, batch_size: BATCH }) };
  }

  /** Starts both members' sources and waits until they share the partitions, each owning some. */
  async function startSharing(a: { source: KafkaSource }, b: { source: KafkaSource }): Promise<void> {
    await a.source.start(silentLogger());
    await b.source.start(silentLogger());
    await waitFor(
      `both members to share the ${PARTITIONS} partitions`,
      () => a.source.assignedPartitions > 0 && b.source.assignedPartitions > 0 && a.source.assignedPartitions + b.source.assignedPartitions === PARTITIONS,
      30_000,
      50,
    );
  }

  /** Produces ROUNDS rounds of PER_ROUND records to every partition, calling `midway` half way through. */
  async function produce(round0: () => void): Promise<void> {
    for (let round = 0; round < ROUNDS; round++) {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const lines = Array.from({ length: PER_ROUND }, (_, i) => `${topic}-p${partition}-r${round}-${i}`);
        kcat(["-P", "-b", cluster.bootstrap, "-t", topic, "-p", String(partition)], `${lines.join("\n")}\n`);
      }
      if (round === ROUNDS / 2) round0();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Checks at-least-once and bounded repeats over everything received; returns how many repeated. Each
   * rebalance may repeat, per partition, the run of records put but not committed when it began.
   */
  function checkDelivery(received: readonly FlowEvent[], rebalances: number): number {
    const total = ROUNDS * PARTITIONS * PER_ROUND;
    const seen = new Map<string, number>();
    for (const event of received) {
      const key = `${event.headers.partition}/${event.headers.offset}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(total);
    // A record in flight at each of several rebalances may be read once more at each.
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(1 + rebalances);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const repeated = [...seen].filter(([key, count]) => count > 1 && key.startsWith(`${partition}/`)).map(([key]) => Number(key.split("/")[1])).sort((x, y) => x - y);
      let runs = repeated.length === 0 ? 0 : 1;
      for (let i = 1; i < repeated.length; i++) if ((repeated[i] as number) !== (repeated[i - 1] as number) + 1) runs++;
      expect(runs, `partition ${partition} repeated ${repeated.join(",")}`).toBeLessThanOrEqual(rebalances);
    }
    const repeats = received.length - total;
    // Per rebalance and partition, at most the one chunk put but not committed.
    expect(repeats).toBeLessThanOrEqual(rebalances * PARTITIONS * BATCH);
    return repeats;
  }

  it("delivers every record at least once and repeats only uncommitted runs when a member leaves", async () => {
    const group = freshGroup("rebalance");
    const a = member("a", group);
    const b = member("b", group);
    await Promise.all([a.channel.start(), b.channel.start()]);
    const received: FlowEvent[] = [];
    const drain = setInterval(() => {
      received.push(...takeAll(a.channel), ...takeAll(b.channel));
    }, 5);
    try {
      await startSharing(a, b);
      let stoppingA: Promise<void> | undefined;
      await produce(() => (stoppingA = a.source.stop()));
      await stoppingA;
      await waitFor("every record delivered", () => new Set(received.map((e) => e.bodyText())).size === ROUNDS * PARTITIONS * PER_ROUND || undefined, 60_000, 50);
      expect(b.source.assignedPartitions).toBe(PARTITIONS);
      expect(a.source.counter.EventAcceptedCount).toBeGreaterThan(0);
      // Let anything still in flight arrive before counting repeats.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      received.push(...takeAll(a.channel), ...takeAll(b.channel));
      const repeats = checkDelivery(received, 1);
      // A member that leaves cleanly commits what it put before it goes: only the other member's chunk in
      // flight at the rebalance (its commit refused by the new generation) may repeat.
      expect(repeats).toBeLessThanOrEqual(BATCH);
      expect(a.source.counter.EventAcceptedCount + b.source.counter.EventAcceptedCount).toBe(received.length);
    } finally {
      clearInterval(drain);
      await Promise.all([a.source.stop(), b.source.stop()]);
    }
  });

  it("moves a hung member's partitions to the other after session_timeout; only uncommitted batches repeat", async () => {
    const group = freshGroup("evict");
    // Member a hangs in the middle of a batch (as a process frozen before its channel's fsync would):
    // it stops heartbeating, so the coordinator evicts it after session_timeout.
    let hang = false;
    let release: ((error: Error) => void) | undefined;
    const a = member("a", group, (inner) => ({
      process: (events) => inner.process(events),
      whenWritable: () => inner.whenWritable(),
      whenDurable: () => (hang ? new Promise<void>((_, reject) => (release = reject)) : inner.whenDurable()),
    }));
    const b = member("b", group);
    await Promise.all([a.channel.start(), b.channel.start()]);
    const received: FlowEvent[] = [];
    const drain = setInterval(() => {
      received.push(...takeAll(a.channel), ...takeAll(b.channel));
    }, 5);
    try {
      await startSharing(a, b);
      await produce(() => (hang = true));
      await waitFor("a to hang in a batch", () => release !== undefined, 10_000);
      await waitFor("b to take every partition", () => b.source.assignedPartitions === PARTITIONS || undefined, 30_000, 50);
      hang = false;
      release?.(new Error("frozen"));
      await waitFor("every record delivered", () => new Set(received.map((e) => e.bodyText())).size === ROUNDS * PARTITIONS * PER_ROUND || undefined, 60_000, 50);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      received.push(...takeAll(a.channel), ...takeAll(b.channel));
      // Two rebalances: a evicted, then a back in the group.
      const repeats = checkDelivery(received, 2);
      // a's last batch was put but never committed: b reads it again.
      expect(repeats).toBeGreaterThan(0);
    } finally {
      clearInterval(drain);
      await Promise.all([a.source.stop(), b.source.stop()]);
    }
  });
});
