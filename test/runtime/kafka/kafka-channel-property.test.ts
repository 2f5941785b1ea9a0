import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KafkaChannel } from "../../../runtime/channels/kafka/kafka-channel";
import type { TakeTransaction } from "../../../runtime/core/channel";
import type { FlowEvent } from "../../../runtime/core/event";
import { putCommitted } from "../../helpers/channel-io";
import { event } from "../../helpers/events";
import { KafkaMockCluster } from "../../helpers/kafka-mock";
import { createPrng } from "../../helpers/prng";
import { freshGroup, kafkaChannel, startChannel } from "./kafka-channel-helpers";

/**
 * Random runs of puts, takes (committed, rolled back or left open across other steps) and restarts of the
 * channel (a new instance in the same group, the open take abandoned as a crash would) against the mock
 * cluster. Properties: every committed put is delivered by a committed take, none twice (the events of an
 * abandoned take come again, to a later take); per key (hence per partition) deliveries keep put order.
 */
describe("kafka channel transactions (property)", () => {
  let cluster: KafkaMockCluster;
  beforeAll(async () => {
    cluster = await KafkaMockCluster.start({ brokers: 1 });
  });
  afterAll(() => cluster.stop());

  for (const seed of [11, 29, 47]) {
    it(`seed ${seed}: no loss, no event in two committed takes, per-key order`, async () => {
      const prng = createPrng(seed);
      const topic = `prop-${seed}`;
      await cluster.createTopic(topic, 3);
      const group = freshGroup();
      const started: KafkaChannel[] = [];
      const open = (): Promise<KafkaChannel> =>
        startChannel(kafkaChannel("c", cluster.brokers, { topic, group_id: group, key_header: "key", prefetch: prng.int(5, 60), transaction_capacity: 25 }), started);
      let channel = await open();
      const put: string[] = [];
      const keyOf = new Map<string, string>();
      const delivered: string[] = [];
      let abandoned = 0;
      let restarts = 0;
      let txn: TakeTransaction | undefined;
      let held: FlowEvent[] = [];
      try {
        for (let step = 0; step < 90; step++) {
          if (step === 30 || step === 60) {
            restarts++;
            // A take in flight, as a crash would find it: its events must come again, nothing else.
            await channel.whenDurable();
            if (txn === undefined) {
              await Promise.race([channel.whenReadable(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
              txn = channel.beginTake();
              held.push(...txn.take(prng.int(1, 10)));
            }
            abandoned += held.length;
            txn = undefined;
            held = [];
            await channel.stop();
            channel = await open();
            continue;
          }
          const roll = prng.next();
          if (roll < 0.3) {
            const n = prng.int(1, 20);
            const events = Array.from({ length: n }, () => {
              const body = `${seed}-${put.length}`;
              const key = `k${prng.int(0, 4)}`;
              put.push(body);
              keyOf.set(body, key);
              return event(body, { key });
            });
            putCommitted(channel, events);
          } else if (roll < 0.75) {
            txn ??= channel.beginTake();
            held.push(...txn.take(prng.int(1, 15)));
            const next = prng.next();
            if (next < 0.6) {
              txn.commit();
              delivered.push(...held.map((e) => e.body.toString()));
            } else if (next < 0.8) {
              txn.rollback();
            }
            if (next < 0.8) {
              txn = undefined;
              held = [];
            }
          } else {
            // Let the producer and the consumer make progress.
            await Promise.race([channel.whenReadable(), new Promise((resolve) => setTimeout(resolve, prng.int(1, 30)))]);
          }
        }
        if (txn !== undefined) {
          txn.commit();
          delivered.push(...held.map((e) => e.body.toString()));
        }
        await channel.whenDurable();
        const deadline = Date.now() + 30_000;
        const wanted = new Set(put);
        const seen = new Set(delivered);
        while ([...wanted].some((body) => !seen.has(body)) && Date.now() < deadline) {
          const take = channel.beginTake();
          const events = take.take(25);
          take.commit();
          for (const e of events) {
            delivered.push(e.body.toString());
            seen.add(e.body.toString());
          }
          if (events.length === 0) await Promise.race([channel.whenReadable(), new Promise((resolve) => setTimeout(resolve, 50))]);
        }
      } finally {
        await Promise.all(started.map((c) => c.stop()));
      }
      expect(put.filter((body) => !delivered.includes(body))).toEqual([]);
      // A clean stop commits every committed take's offsets: no committed take sees an event twice; the
      // abandoned takes' events (which a sink may have written: the duplicates a crash costs) come again.
      expect(delivered.length - new Set(delivered).size).toBe(0);
      expect(abandoned).toBeGreaterThan(0);
      // Per key (one partition each), the first deliveries come in put order.
      const firsts = [...new Set(delivered)];
      for (const key of new Set(keyOf.values())) {
        const indices = firsts.filter((body) => keyOf.get(body) === key).map((body) => put.indexOf(body));
        expect(indices).toEqual([...indices].sort((a, b) => a - b));
      }
      expect(restarts).toBe(2);
      expect(started.reduce((sum, c) => sum + c.counter.RollbackCount, 0)).toBeGreaterThan(0);
    }, 120_000);
  }
});
