import { afterEach, describe, expect, it, vi } from "vitest";
import { SourceCounter } from "../../../runtime/metrics/counters";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { BatchPump } from "../../../runtime/sources/byte-stream/batch-pump";
import { takeAll, takeCommitted } from "../../helpers/channel-io";
import { bodies, numberedEvents } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { memoryChannel } from "../../helpers/memory-channel";

async function rig(options: { capacity?: number; batchSize?: number; batchTimeoutMs?: number } = {}) {
  const channel = memoryChannel("c", { capacity: options.capacity ?? 1_000, transaction_capacity: 100 });
  await channel.start();
  const processor = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
  const counter = new SourceCounter();
  const blocked: boolean[] = [];
  const pump = new BatchPump(processor, counter, options.batchSize ?? 10, options.batchTimeoutMs ?? 0, (b) => blocked.push(b));
  return { channel, counter, pump, blocked };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("BatchPump", () => {
  it("hands full batches over at once and a partial one after the batch timeout", async () => {
    vi.useFakeTimers();
    const { channel, pump, counter } = await rig({ batchSize: 10, batchTimeoutMs: 250 });
    pump.add(numberedEvents(25));
    expect(channel.size()).toBe(20);
    expect(pump.size).toBe(5);
    vi.advanceTimersByTime(249);
    expect(channel.size()).toBe(20);
    vi.advanceTimersByTime(1);
    expect(channel.size()).toBe(25);
    expect(counter.EventAcceptedCount).toBe(25);
    expect(bodies(takeAll(channel))).toEqual(bodies(numberedEvents(25)));
  });

  it("without a batch timeout hands over whatever it is given at once", async () => {
    const { channel, pump } = await rig({ batchSize: 10, batchTimeoutMs: 0 });
    pump.add(numberedEvents(3));
    expect(channel.size()).toBe(3);
    expect(pump.size).toBe(0);
  });

  it("flush() hands a partial batch over without waiting, and whenEmpty() resolves then", async () => {
    const { channel, pump } = await rig({ batchSize: 10, batchTimeoutMs: 60_000 });
    pump.add(numberedEvents(4));
    const empty = pump.whenEmpty();
    expect(await isSettled(empty)).toBe(false);
    pump.flush();
    expect(channel.size()).toBe(4);
    expect(await isSettled(empty)).toBe(true);
  });

  it("keeps a refused batch and what follows, asks to stop reading, and retries in order once there is room", async () => {
    const { channel, pump, counter, blocked } = await rig({ capacity: 20, batchSize: 10 });
    pump.add(numberedEvents(35));
    expect(channel.size()).toBe(20);
    expect(counter.ChannelWriteFail).toBe(1);
    expect(blocked).toEqual([true]);
    expect(pump.isBlocked).toBe(true);
    // More input while blocked queues behind the refused batch.
    pump.add(numberedEvents(5, "e", 35));
    const got = bodies(takeCommitted(channel, 10));
    await new Promise((resolve) => setImmediate(resolve));
    got.push(...bodies(takeAll(channel)));
    for (let i = 0; i < 10 && pump.size > 0; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      got.push(...bodies(takeAll(channel)));
    }
    got.push(...bodies(takeAll(channel)));
    expect(got).toEqual(bodies(numberedEvents(40)));
    expect(counter.EventAcceptedCount).toBe(40);
    expect(blocked.at(-1)).toBe(false);
    await pump.whenEmpty();
  });
});
