import { afterEach, describe, expect, it, vi } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { GeneratorSource, type GeneratorSourceConfig } from "../../../runtime/sources/generator/generator-source";
import { generatorSourceSpec } from "../../../runtime/sources/generator/spec";
import { takeAll, takeCommitted } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { memoryChannel } from "../../helpers/memory-channel";
import { silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { withTimeout } from "../../helpers/with-timeout";

const sources: GeneratorSource[] = [];

async function rig(values: Partial<GeneratorSourceConfig>, channelConfig = { capacity: 100_000, transaction_capacity: 1_000 }) {
  const channel = memoryChannel("c", channelConfig);
  await channel.start();
  const processor = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
  const source = new GeneratorSource("gen", configOf(generatorSourceSpec, values), processor);
  sources.push(source);
  return { channel, source };
}

afterEach(async () => {
  vi.useRealTimers();
  for (const source of sources.splice(0)) await withTimeout(source.stop(), 5_000, "stop()").catch(() => undefined);
});

describe("generator source", () => {
  it("makes `count` events numbered from 0, in batches, then is finished", async () => {
    const { channel, source } = await rig({ count: 2_500, batch_size: 1_000 });
    expect(await source.start(silentLogger())).toBe("generator:2500");
    await withTimeout(source.finished, 5_000, "finished");
    const got = takeAll(channel);
    expect(bodies(got)).toEqual(Array.from({ length: 2_500 }, (_, i) => `event ${i}`));
    expect(source.counter.EventReceivedCount).toBe(2_500);
    expect(source.counter.EventAcceptedCount).toBe(2_500);
    // Three transactions: 1000, 1000 and 500.
    expect(channel.counter.EventPutSuccessCount).toBe(2_500);
  });

  it("gives every event its own copy of the headers", async () => {
    const { channel, source } = await rig({ count: 3, headers: { service: "checkout", "X-Env": "test" } });
    await source.start(silentLogger());
    await withTimeout(source.finished, 5_000, "finished");
    const [a, b] = takeAll(channel);
    expect(a?.headers).toEqual({ service: "checkout", "X-Env": "test" });
    expect(a?.headers).not.toBe(b?.headers);
    (a?.headers as Record<string, string>).service = "changed";
    expect(b?.headers.service).toBe("checkout");
  });

  it("shares one buffer between the events of a body without placeholders", async () => {
    const { channel, source } = await rig({ count: 3, body: "same" });
    await source.start(silentLogger());
    await withTimeout(source.finished, 5_000, "finished");
    const [a, b] = takeAll(channel);
    expect(a?.body.toString()).toBe("same");
    expect(a?.body).toBe(b?.body);
  });

  it("spreads events out to at most `rate` per second", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date"] });
    const { channel, source } = await rig({ rate: 10 });
    expect(await source.start(silentLogger())).toBe("generator:unbounded@10/s");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(channel.size()).toBe(10);
    await vi.advanceTimersByTimeAsync(500);
    expect(channel.size()).toBe(15);
    // Stopped while the fake timers are installed: clearing a fake timer with the real clear* corrupts Node's timer lists.
    await source.stop();
  });

  it("after a full channel held it back, goes on at its rate without a burst to catch up", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date"] });
    const { channel, source } = await rig({ rate: 100, batch_size: 10 }, { capacity: 20, transaction_capacity: 10 });
    await source.start(silentLogger());
    await vi.advanceTimersByTimeAsync(5_000);
    // 20 in the channel, the next batch refused and kept; nothing more made while it waits.
    expect(channel.size()).toBe(20);
    expect(source.counter.ChannelWriteFail).toBeGreaterThanOrEqual(1);
    const received = source.counter.EventReceivedCount;
    expect(received).toBeLessThanOrEqual(30);
    const got = bodies(takeAll(channel));
    await vi.advanceTimersByTimeAsync(0);
    got.push(...bodies(takeAll(channel)));
    expect(got).toEqual(Array.from({ length: received }, (_, i) => `event ${i}`));
    // Five seconds were "missed"; at 100/s a catch-up would be 500 events at once. It makes about 10.
    await vi.advanceTimersByTimeAsync(100);
    const after = source.counter.EventReceivedCount - received;
    expect(after).toBeGreaterThanOrEqual(9);
    expect(after).toBeLessThanOrEqual(11);
    takeAll(channel);
    await source.stop();
  });

  it("on stop, hands over the batch a channel refused before resolving, and makes nothing more", async () => {
    const { channel, source } = await rig({ batch_size: 10 }, { capacity: 20, transaction_capacity: 10 });
    await source.start(silentLogger());
    await withTimeout(
      (async () => {
        while (source.counter.ChannelWriteFail === 0) await new Promise((resolve) => setImmediate(resolve));
      })(),
      5_000,
      "a refused batch",
    );
    const stopping = source.stop();
    expect(await isSettled(stopping)).toBe(false);
    const got = bodies(takeCommitted(channel, 10));
    await withTimeout(stopping, 5_000, "stop()");
    got.push(...bodies(takeAll(channel)));
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => `event ${i}`));
    expect(source.counter.EventReceivedCount).toBe(30);
    expect(source.counter.EventAcceptedCount).toBe(30);
    expect(await isSettled(source.finished)).toBe(false);
  });

  it("refuses an unknown placeholder with a configuration error (exit 78)", () => {
    const processor = new ReplicatingProcessor({ required: [memoryChannel("c")], optional: [], interceptors: [] });
    const make = (): GeneratorSource => new GeneratorSource("gen", configOf(generatorSourceSpec, { body: "id=%{uuid}" }), processor);
    expect(make).toThrow(UserFacingError);
    expect(make).toThrow("source `gen`: property `body`: unknown placeholder `%{uuid}`");
    try {
      make();
    } catch (error) {
      expect((error as UserFacingError).exitCode).toBe(78);
    }
  });
});
