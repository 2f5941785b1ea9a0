import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { SinkRunner } from "../../../runtime/sink-runner/sink-runner";
import { KafkaSink, type KafkaSinkConfig } from "../../../runtime/sinks/kafka/kafka-sink";
import { kafkaSinkSpec } from "../../../runtime/sinks/kafka/spec";
import { putCommitted } from "../../helpers/channel-io";
import { event } from "../../helpers/events";
import { KafkaMockCluster } from "../../helpers/kafka-mock";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";
import { readBack } from "./read-back";

// The kafka sink against librdkafka's mock cluster (a real Kafka protocol implementation), read back with
// kcat, an independent client.

/** kcat's line per record: topic, partition, key, headers, value. */
const FORMAT = "%t|%p|%k|%h|%s\n";

function numbered(prefix: string, count: number, headers: (i: number) => Record<string, string> = () => ({})): FlowEvent[] {
  return Array.from({ length: count }, (_, i) => event(`${prefix}-${String(i).padStart(5, "0")}`, headers(i)));
}

describe("kafka sink against the mock cluster", () => {
  let cluster: KafkaMockCluster;
  const sinks: KafkaSink[] = [];

  beforeAll(async () => {
    cluster = await KafkaMockCluster.start({
      brokers: 3,
      topics: [
        { name: "gz", partitions: 3 },
        { name: "logs-web", partitions: 1 },
        { name: "logs-db", partitions: 1 },
        { name: "fallback", partitions: 1 },
        { name: "parts", partitions: 4 },
        { name: "flaky", partitions: 1 },
        { name: "fatal", partitions: 1 },
        { name: "big", partitions: 1 },
        { name: "noacks", partitions: 1 },
        { name: "stamps", partitions: 1 },
      ],
    });
  });
  afterEach(async () => {
    for (const sink of sinks.splice(0)) await sink.stop();
  });
  afterAll(() => cluster.stop());

  async function started(values: Partial<KafkaSinkConfig>, log = silentLogger()): Promise<KafkaSink> {
    const sink = new KafkaSink("k1", configOf(kafkaSinkSpec, { brokers: cluster.brokers, connect_timeout: 2_000, request_timeout: 5_000, ...values }));
    sinks.push(sink);
    await sink.start(log);
    return sink;
  }

  it("writes with acks = all and gzip; kcat reads every record back with its key and headers", async () => {
    const sink = await started({ topic: "gz", acks: "all", compression: "gzip", key_header: "key" });
    const events = numbered("gz", 300, (i) => ({ key: `k${i % 7}`, app: "web", "x-trace": `t${i}` }));
    await sink.write(events.slice(0, 150));
    await sink.write(events.slice(150));
    const lines = readBack(cluster, "gz", FORMAT);
    expect(lines).toHaveLength(300);
    const byBody = new Map(lines.map((line) => [line.split("|")[4], line.split("|")]));
    const partitionOfKey = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const [topic, partition, key, headers, body] = byBody.get(`gz-${String(i).padStart(5, "0")}`) ?? [];
      expect([topic, key, body]).toEqual(["gz", `k${i % 7}`, `gz-${String(i).padStart(5, "0")}`]);
      expect(headers?.split(",").sort()).toEqual(["app=web", `key=k${i % 7}`, `x-trace=t${i}`].sort());
      // The same key always lands in the same partition.
      const seen = partitionOfKey.get(key as string);
      if (seen === undefined) partitionOfKey.set(key as string, partition as string);
      else expect(partition).toBe(seen);
    }
    // Within a partition the records keep the order they had in the channel.
    for (const partition of ["0", "1", "2"]) {
      const inPartition = lines.filter((line) => line.split("|")[1] === partition).map((line) => line.split("|")[4] as string);
      expect(inPartition).toEqual([...inPartition].sort());
    }
    expect(sink.counter.ConnectionCreatedCount).toBe(1);
    expect(sink.counter.RollbackCount).toBe(0);
  });

  it("puts keys where the Java client's murmur2 partitioner does", async () => {
    const sink = await started({ topic: "parts", key_header: "key" });
    await sink.write([event("a", { key: "user-1" }), event("b", { key: "user-2" }), event("c", { key: "order-42" })]);
    const partitionOf = new Map(readBack(cluster, "parts", "%k %p\n").map((line) => line.split(" ") as [string, string]));
    // Java: Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % 4 gives these for the three keys.
    expect(Object.fromEntries(partitionOf)).toEqual(javaPartitions(["user-1", "user-2", "order-42"], 4));
  });

  it("routes by a topic template over headers, and events it cannot route to default_topic", async () => {
    const sink = await started({ topic: "logs-%{app}", default_topic: "fallback" });
    await sink.write([
      event("w1", { app: "web" }),
      event("d1", { app: "db" }),
      event("none1"),
      event("w2", { app: "web" }),
      event("bad1", { app: "no/slash" }),
      event("empty1", { app: "" }),
    ]);
    expect(readBack(cluster, "logs-web", "%s\n")).toEqual(["w1", "w2"]);
    expect(readBack(cluster, "logs-db", "%s\n")).toEqual(["d1"]);
    expect(readBack(cluster, "fallback", "%s\n")).toEqual(["none1", "bad1", "empty1"]);
    expect(sink.counter.TopicFallbackCount).toBe(3);
  });

  it("forces partitions from partition_header and record timestamps from timestamp_header", async () => {
    const sink = await started({ topic: "stamps", partition_header: "p", timestamp_header: "timestamp", record_headers: false });
    await sink.write([event("t1", { timestamp: "1700000000123", p: "0" }), event("t2", { timestamp: "soon", p: "9" })]);
    const lines = readBack(cluster, "stamps", "%s %T %p %h\n");
    expect(lines[0]).toBe("t1 1700000000123 0 ");
    expect(lines[1]).toMatch(/^t2 \d{13} 0 $/);
    expect(Number(lines[1]?.split(" ")[1])).toBeGreaterThan(1_700_000_000_123);
    expect(sink.counter.TimestampFallbackCount).toBe(1);
    // Partition 9 does not exist: the partitioner chose (KafkaJS alone would have dropped the record).
    expect(sink.counter.PartitionFallbackCount).toBe(1);

    const spread = await started({ topic: "parts", partition_header: "p" });
    await spread.write([event("p3", { p: "3" }), event("p1", { p: "1" }), event("p-bad", { p: "x" })]);
    const partitions = new Map(readBack(cluster, "parts", "%s %p\n").map((line) => line.split(" ") as [string, string]));
    expect(partitions.get("p3")).toBe("3");
    expect(partitions.get("p1")).toBe("1");
    expect(partitions.has("p-bad")).toBe(true);
    expect(spread.counter.PartitionFallbackCount).toBe(1);
  });

  it("retries retriable produce errors (not leader, timed out) and loses nothing", async () => {
    const { log, lines } = recordingLogger();
    const sink = await started({ topic: "flaky" }, log);
    await sink.write([event("warm-up")]);
    await cluster.pushErrors(0, [6, 6, 7]);
    const events = numbered("flaky", 50);
    await sink.write(events);
    expect(readBack(cluster, "flaky", "%s\n")).toEqual(["warm-up", ...events.map((e) => e.body.toString())]);
    expect(sink.counter.RollbackCount).toBe(0);
    // KafkaJS met the three errors and retried (its error lines come through one level lower, at warn).
    const retried = lines.filter((line) => /Failed to send messages|not the leader|timed out/i.test(line));
    expect(retried.length).toBeGreaterThanOrEqual(3);
  });

  it("rolls back, counts and logs at error a batch the broker refuses (MESSAGE_TOO_LARGE)", async () => {
    const { log, lines } = recordingLogger();
    const sink = await started({ topic: "fatal" }, log);
    await sink.write([event("warm-up")]);
    await cluster.pushErrors(0, [10]);
    await expect(sink.write([event("refused")])).rejects.toThrow(/kafka: .*(too large|larger)/i);
    expect(sink.counter.RollbackCount).toBe(1);
    expect(lines.some((line) => /error/.test(line) && /Kafka refused the batch/.test(line) && /too large|larger/i.test(line))).toBe(true);
    // The runner retries it; the next attempt goes through.
    await sink.write([event("refused")]);
    expect(readBack(cluster, "fatal", "%s\n")).toEqual(["warm-up", "refused"]);
  });

  it("splits a batch into requests of at most max_request_bytes, in order, and drops a record no request can hold", async () => {
    const { log, lines } = recordingLogger();
    const sink = await started({ topic: "big", max_request_bytes: 4_096 }, log);
    const body = (i: number) => `${String(i).padStart(4, "0")}-${"x".repeat(995)}`;
    const events = Array.from({ length: 20 }, (_, i) => event(body(i)));
    events.splice(7, 0, event("y".repeat(5_000)));
    await sink.write(events);
    expect(readBack(cluster, "big", "%s\n")).toEqual(Array.from({ length: 20 }, (_, i) => body(i)));
    expect(sink.counter.EventDropCount).toBe(1);
    expect(lines.some((line) => /dropped a record larger than max_request_bytes/.test(line))).toBe(true);

    const strict = await started({ topic: "big", max_request_bytes: 4_096, on_oversize: "fail" });
    await expect(strict.write([event("z".repeat(5_000))])).rejects.toThrow(/larger than max_request_bytes/);
    expect(strict.counter.RollbackCount).toBe(1);
  });

  it("writes with acks = none", async () => {
    const sink = await started({ topic: "noacks", acks: "none" });
    await sink.write(numbered("n", 10));
    await waitFor("the records to be readable", () => readBack(cluster, "noacks", "%s\n").length === 10, 5_000, 50);
  });
});

describe("kafka sink when the cluster is unreachable or goes away", () => {
  it("starts anyway, and delivers once the cluster is reachable", async () => {
    const cluster = await KafkaMockCluster.start({ brokers: 1, topics: [{ name: "late", partitions: 1 }] });
    await cluster.brokerDown(1);
    const sink = new KafkaSink("k1", configOf(kafkaSinkSpec, { brokers: cluster.brokers, topic: "late", connect_timeout: 500, request_timeout: 2_000 }));
    const { log, lines } = recordingLogger();
    try {
      await sink.start(log);
      await expect(sink.write([event("early")])).rejects.toThrow(/kafka: cannot connect/);
      expect(sink.counter.ConnectionFailedCount).toBeGreaterThanOrEqual(1);
      // Said once at warn; not an error line about a refused batch: nothing was sent.
      expect(lines.filter((line) => /level=warn msg="cannot connect to Kafka/.test(line))).toHaveLength(1);
      expect(lines.some((line) => /Kafka refused the batch/.test(line))).toBe(false);
      expect(sink.counter.RollbackCount).toBe(1);
      await cluster.brokerUp(1);
      await sink.write([event("early")]);
      expect(readBack(cluster, "late", "%s\n")).toEqual(["early"]);
    } finally {
      await sink.stop();
      await cluster.stop();
    }
  });

  it("keeps the backlog while the only broker is down and drains it, complete and in order, when it is back", async () => {
    const cluster = await KafkaMockCluster.start({ brokers: 1, topics: [{ name: "backlog", partitions: 1 }] });
    const channel = memoryChannel("c1", { capacity: 10_000, transaction_capacity: 100 });
    await channel.start();
    const sink = new KafkaSink("k1", configOf(kafkaSinkSpec, { brokers: cluster.brokers, topic: "backlog", batch_size: 100, connect_timeout: 500, request_timeout: 2_000 }));
    const runner = new SinkRunner(sink, channel, { failureBackoffMs: 50, maxFailureBackoffMs: 500 });
    try {
      await runner.start(silentLogger());
      const first = numbered("before", 200);
      putCommitted(channel, first.slice(0, 100));
      putCommitted(channel, first.slice(100));
      await waitFor("the first events to be delivered", () => sink.counter.EventDrainSuccessCount === 200, 10_000);

      await cluster.brokerDown(1);
      const during = numbered("during", 1_000);
      for (let i = 0; i < during.length; i += 100) putCommitted(channel, during.slice(i, i + 100));
      await waitFor("a failed delivery", () => sink.counter.RollbackCount >= 1, 20_000, 50);
      expect(channel.size()).toBeGreaterThan(0);

      await cluster.brokerUp(1);
      await waitFor("the backlog to drain", () => channel.size() === 0, 30_000, 50);
      const read = readBack(cluster, "backlog", "%s\n");
      const expected = [...first, ...during].map((e) => e.body.toString());
      // At least once: a batch retried after a partial failure may appear twice, nothing may be missing,
      // and first appearances keep the channel's order.
      expect([...new Set(read)]).toEqual(expected);
      expect(sink.counter.EventDrainSuccessCount).toBe(1_200);
    } finally {
      await runner.drainAndStop(Date.now() + 5_000);
      await cluster.stop();
    }
  }, 60_000);
});

/** What Java's `DefaultPartitioner` picks for these keys among `count` partitions (murmur2, seed 0x9747b28c). */
function javaPartitions(keys: readonly string[], count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) out[key] = String((murmur2(Buffer.from(key, "utf8")) & 0x7fffffff) % count);
  return out;
}

/** Kafka's `Utils.murmur2`, transcribed from the Java source (an independent check of KafkaJS's). */
function murmur2(data: Buffer): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}
