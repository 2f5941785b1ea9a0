import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KafkaChannel } from "../../../runtime/channels/kafka/kafka-channel";
import { ChannelFullError } from "../../../runtime/core/errors";
import { consume, putCommitted, takeCommitted } from "../../helpers/channel-io";
import { bodies, event, numberedEvents } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { KafkaMockCluster, kcat } from "../../helpers/kafka-mock";
import { recordingLogger } from "../../helpers/silent-logger";
import { waitFor } from "../../helpers/wait-for";
import { freshGroup, kafkaChannel, startChannel } from "./kafka-channel-helpers";

// Rebalances in the mock take seconds, and many more on a loaded 2-core CI machine: generous waits.
describe("kafka channel", { timeout: 120_000 }, () => {
  let cluster: KafkaMockCluster;
  const channels: KafkaChannel[] = [];

  beforeAll(async () => {
    cluster = await KafkaMockCluster.start({ brokers: 1 });
  });
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((channel) => channel.stop()));
  });
  afterAll(() => cluster.stop());

  const topic = (partitions = 1): Promise<string> => cluster.newTopic("chan", partitions);
  const committed = (group: string, name: string): Promise<number[]> => cluster.committedOffsets(group, name);


  it("produces a put as records (value = body, record headers = headers) and resolves whenDurable after the ack", async () => {
    const name = await topic();
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup() }), channels);
    putCommitted(channel, [event("first", { host: "web1", app: "shop" }), event("second", { host: "web2" })]);
    expect(channel.size()).toBeGreaterThanOrEqual(2);
    await channel.whenDurable();
    expect(channel.counter.EventPutSuccessCount).toBe(2);
    const read = kcat(["-C", "-b", cluster.bootstrap, "-t", name, "-e", "-q", "-f", "%s|%h\n"]);
    expect(read.trim().split("\n")).toEqual(["first|host=web1,app=shop", "second|host=web2"]);
    expect(channel.counter.KafkaEventSendTimer).toBeGreaterThanOrEqual(0);
  });

  it("takes records another client produced, with their headers, in order", async () => {
    const name = await topic();
    kcat(["-P", "-b", cluster.bootstrap, "-t", name, "-H", "origin=kcat"], "a\nb\nc\n");
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup() }), channels);
    const events = await consume(channel, { count: 3, timeoutMs: 20_000 });
    expect(bodies(events)).toEqual(["a", "b", "c"]);
    expect(events.map((e) => e.headers)).toEqual([{ origin: "kcat" }, { origin: "kcat" }, { origin: "kcat" }]);
    expect(channel.counter.EventTakeSuccessCount).toBe(3);
  });

  it("commits offsets only for committed takes: a restart gets back what was taken but not committed", async () => {
    const name = await topic();
    const group = freshGroup();
    const first = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: group }), channels);
    putCommitted(first, numberedEvents(10));
    await first.whenDurable();
    await waitFor("prefetched events", () => first.size() === 10, 20_000);
    expect(bodies(takeCommitted(first, 4))).toEqual(["e0", "e1", "e2", "e3"]);
    const open = first.beginTake();
    expect(bodies(open.take(3))).toEqual(["e4", "e5", "e6"]);
    // The offset commit is asynchronous: wait for it before stopping with the second take still open.
    await waitFor("offset 4 committed", async () => (await committed(group, name))[0] === 4, 10_000);
    await first.stop();
    channels.splice(channels.indexOf(first), 1);

    const second = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: group }), channels);
    const again = await consume(second, { count: 6, timeoutMs: 20_000 });
    expect(bodies(again)).toEqual(["e4", "e5", "e6", "e7", "e8", "e9"]);
    await waitFor("offset 10 committed", async () => (await committed(group, name))[0] === 10, 10_000);
    expect(second.counter.KafkaCommitTimer).toBeGreaterThanOrEqual(0);
  });

  it("puts rolled-back events back at the head in their order", async () => {
    const name = await topic();
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup() }), channels);
    putCommitted(channel, numberedEvents(5));
    await channel.whenDurable();
    await waitFor("prefetched events", () => channel.size() === 5, 20_000);
    const txn = channel.beginTake();
    expect(bodies(txn.take(3))).toEqual(["e0", "e1", "e2"]);
    txn.rollback();
    expect(channel.counter.RollbackCount).toBe(1);
    expect(bodies(takeCommitted(channel, 10))).toEqual(["e0", "e1", "e2", "e3", "e4"]);
    expect(channel.size()).toBe(0);
  });

  it("refuses puts beyond capacity while Kafka does not acknowledge, and delivers them all once it does", async () => {
    const name = await topic();
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup(), capacity: 20 }), channels);
    putCommitted(channel, numberedEvents(1, "warm"));
    await channel.whenDurable();
    await cluster.brokerDown(-1);
    try {
      putCommitted(channel, numberedEvents(15, "a"));
      putCommitted(channel, numberedEvents(5, "b"));
      const durable = channel.whenDurable();
      expect(() => putCommitted(channel, numberedEvents(1, "c"))).toThrow(ChannelFullError);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await isSettled(durable)).toBe(false);
    } finally {
      await cluster.brokerUp(-1);
    }
    await channel.whenDurable();
    const read = kcat(["-C", "-b", cluster.bootstrap, "-t", name, "-e", "-q", "-f", "%s\n"]);
    expect(read.trim().split("\n")).toEqual(["warm0", ...bodies(numberedEvents(15, "a")), ...bodies(numberedEvents(5, "b"))]);
    putCommitted(channel, numberedEvents(1, "c"));
  });

  it("rejects whenDurable when it stops with events Kafka never acknowledged, and says how many were lost", async () => {
    const name = await topic();
    const { log, lines } = recordingLogger();
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup(), request_timeout: 1_000 }), channels, log);
    await cluster.brokerDown(-1);
    try {
      putCommitted(channel, numberedEvents(3));
      const durable = channel.whenDurable();
      durable.catch(() => undefined);
      await channel.stop();
      await expect(durable).rejects.toThrow(/stopped with 3 events not acknowledged/);
      expect(lines.some((line) => /lost at stop.*events=3/.test(line))).toBe(true);
    } finally {
      await cluster.brokerUp(-1);
    }
  });

  it("drops, logs and counts an event the brokers refuse for good, and sends the rest of its request", async () => {
    // Injected errors go to whichever client produces next: a cluster of its own keeps the clients of
    // earlier tests (on a loaded machine some still retry in the background) from taking them.
    const own = await KafkaMockCluster.start({ brokers: 1 });
    const mine: KafkaChannel[] = [];
    try {
      const name = await own.newTopic("refused", 1);
      const { log, lines } = recordingLogger();
      const channel = await startChannel(kafkaChannel("c", own.brokers, { topic: name, group_id: freshGroup() }), mine, log);
      putCommitted(channel, numberedEvents(1, "warm"));
      await channel.whenDurable();
      // MESSAGE_TOO_LARGE for the request of three, then for the first of them sent alone.
      await own.pushErrors(0, [10, 10]);
      putCommitted(channel, numberedEvents(3));
      await expect(channel.whenDurable()).rejects.toThrow(/refused an event/);
      // The waiters of the refused event were rejected; a new call waits for the two that follow it.
      await channel.whenDurable();
      expect(channel.counter.EventPutErrorCount).toBe(1);
      expect(lines.some((line) => /refuses an event for good/.test(line))).toBe(true);
      const read = kcat(["-C", "-b", own.bootstrap, "-t", name, "-e", "-q", "-f", "%s\n"]);
      expect(read.trim().split("\n")).toEqual(["warm0", "e1", "e2"]);
    } finally {
      await Promise.all(mine.map((channel) => channel.stop()));
      await own.stop();
    }
  });

  it("gives prefetched events back before a drain: the next consumer of the group reads them", async () => {
    const name = await topic();
    const group = freshGroup();
    const first = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: group }), channels);
    putCommitted(first, numberedEvents(6));
    await first.whenDurable();
    await waitFor("prefetched events", () => first.size() === 6, 20_000);
    expect(bodies(takeCommitted(first, 2))).toEqual(["e0", "e1"]);
    await first.beforeDrain();
    expect(first.size()).toBe(0);
    expect(takeCommitted(first, 10)).toEqual([]);
    await first.stop();
    channels.splice(channels.indexOf(first), 1);
    const second = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: group }), channels);
    expect(bodies(await consume(second, { count: 4, timeoutMs: 20_000 }))).toEqual(["e2", "e3", "e4", "e5"]);
  });

  it("starts while Kafka is unreachable, buffers puts, and delivers once it comes back", async () => {
    const name = await topic();
    await cluster.brokerDown(-1);
    let channel: KafkaChannel;
    try {
      channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup() }), channels);
      putCommitted(channel, numberedEvents(5));
      expect(channel.size()).toBe(5);
    } finally {
      await cluster.brokerUp(-1);
    }
    expect(bodies(await consume(channel, { count: 5, timeoutMs: 30_000 }))).toEqual(bodies(numberedEvents(5)));
  });

  it("spreads puts round-robin over the partitions, or by key_header", async () => {
    const name = await topic(3);
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: freshGroup(), key_header: "user" }), channels);
    putCommitted(channel, [...numberedEvents(6, "free"), ...Array.from({ length: 4 }, (_, i) => event(`keyed${i}`, { user: "alice" }))]);
    await channel.whenDurable();
    const read = kcat(["-C", "-b", cluster.bootstrap, "-t", name, "-e", "-q", "-f", "%p %k %s\n"]).trim().split("\n");
    const partitionsOf = (prefix: string): Set<string> => new Set(read.filter((line) => line.split(" ")[2]?.startsWith(prefix)).map((line) => line.split(" ")[0] as string));
    expect(partitionsOf("free").size).toBe(3);
    expect(partitionsOf("keyed").size).toBe(1);
    expect(read.filter((line) => line.includes("keyed")).every((line) => line.split(" ")[1] === "alice")).toBe(true);
  });

  it("shares the partitions between two channels of one group: every event is taken by exactly one of them", async () => {
    const name = await topic(4);
    const group = freshGroup();
    const logs = [recordingLogger(), recordingLogger()];
    const a = await startChannel(kafkaChannel("a", cluster.brokers, { topic: name, group_id: group }), channels, logs[0]?.log);
    const b = await startChannel(kafkaChannel("b", cluster.brokers, { topic: name, group_id: group }), channels, logs[1]?.log);
    const assigned = (lines: string[]): string | undefined => lines.filter((line) => line.includes("Kafka partitions assigned")).at(-1)?.match(/partitions=(\S+)/)?.[1];
    await waitFor(
      "both channels to own two partitions",
      () => logs.every(({ lines }) => (assigned(lines) ?? "none").split(",").length === 2),
      60_000,
      50,
    );
    putCommitted(a, numberedEvents(100));
    await a.whenDurable();
    const taken: string[] = [];
    await waitFor(
      "every event taken",
      () => {
        taken.push(...bodies(takeCommitted(a)), ...bodies(takeCommitted(b)));
        return taken.length >= 100;
      },
      20_000,
      20,
    );
    expect([...taken].sort()).toEqual(bodies(numberedEvents(100)).sort());
    expect(a.counter.EventTakeSuccessCount).toBeGreaterThan(0);
    expect(b.counter.EventTakeSuccessCount).toBeGreaterThan(0);
  });

  it("survives a rebalance during an open take: no loss, duplicates at most that take's batch", async () => {
    const name = await topic(2);
    const group = freshGroup();
    const logs = [recordingLogger(), recordingLogger()];
    const a = await startChannel(kafkaChannel("a", cluster.brokers, { topic: name, group_id: group }), channels, logs[0]?.log);
    putCommitted(a, numberedEvents(40));
    await a.whenDurable();
    await waitFor("a to prefetch everything", () => a.size() === 40, 20_000);
    const open = a.beginTake();
    const held = bodies(open.take(10));
    const b = await startChannel(kafkaChannel("b", cluster.brokers, { topic: name, group_id: group }), channels, logs[1]?.log);
    const owns = (lines: string[]): string | undefined => lines.filter((line) => line.includes("Kafka partitions assigned")).at(-1)?.match(/partitions=(\S+)/)?.[1];
    await waitFor("b to own a partition", () => /^"?\d"?$/.test(owns(logs[1]?.lines ?? []) ?? ""), 60_000, 50);
    await waitFor("a to own one partition", () => /^"?\d"?$/.test(owns(logs[0]?.lines ?? []) ?? ""), 60_000, 50);
    open.commit();
    const delivered = [...held];
    await waitFor(
      "every event delivered",
      () => {
        delivered.push(...bodies(takeCommitted(a)), ...bodies(takeCommitted(b)));
        return new Set(delivered).size === 40;
      },
      20_000,
      20,
    );
    expect(new Set(delivered)).toEqual(new Set(bodies(numberedEvents(40))));
    expect(delivered.length - 40).toBeLessThanOrEqual(held.length);
    // Only events a held from the partition that moved to b come twice; those of the partition a kept do not.
    const partitionOf = new Map(kcat(["-C", "-b", cluster.bootstrap, "-t", name, "-e", "-q", "-f", "%s %p\n"]).trim().split("\n").map((line) => line.split(" ") as [string, string]));
    const moved = (owns(logs[1]?.lines ?? []) ?? "").replace(/"/g, "");
    const twice = delivered.filter((body, i) => delivered.indexOf(body) !== i);
    expect(twice.every((body) => held.includes(body) && partitionOf.get(body) === moved)).toBe(true);
  });

  it("never lets the sinks get more than prefetch events ahead of the committed offsets", async () => {
    const name = await topic();
    const group = freshGroup();
    const channel = await startChannel(kafkaChannel("c", cluster.brokers, { topic: name, group_id: group, prefetch: 10 }), channels);
    putCommitted(channel, numberedEvents(50));
    await channel.whenDurable();
    await waitFor("prefetched events", () => channel.size() === 10, 20_000);
    // The next offset commits fail (REQUEST_TIMED_OUT): what a crash would repeat must stay bounded meanwhile.
    await cluster.pushErrors(8, [7, 7, 7, 7, 7]);
    const delivered: string[] = [];
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      delivered.push(...bodies(takeCommitted(channel, 3)));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await committed(group, name)).toEqual([-1]);
    expect(delivered).toEqual(bodies(numberedEvents(10)));
    await waitFor(
      "every event delivered once the commits succeed",
      () => {
        delivered.push(...bodies(takeCommitted(channel)));
        return delivered.length === 50;
      },
      30_000,
      20,
    );
    expect(delivered).toEqual(bodies(numberedEvents(50)));
    await waitFor("offset 50 committed", async () => (await committed(group, name))[0] === 50, 10_000);
  });
});
