import { afterEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../runtime/channels/memory/memory-channel";
import type { ChannelProcessor, Source } from "../../runtime/core/component";
import { ReplicatingProcessor } from "../../runtime/processors/replicating-processor";
import { consume, takeAll } from "../helpers/channel-io";
import { bodies } from "../helpers/events";
import { memoryChannel } from "../helpers/memory-channel";
import { silentLogger } from "../helpers/silent-logger";
import { createTempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";
import { SOURCE_RULES as RULE, checks } from "./rules";

/** What the harness gives the factory to build the source under test with. */
export interface SourceFixture {
  /** The processor the source must hand its batches to: a ReplicatingProcessor over a memory channel the harness reads. */
  readonly processor: ChannelProcessor;
  /** The most events the channel takes per transaction: configure the source's batch size to this. */
  readonly batchSize: number;
  /** A fresh directory for sources that read files; the harness deletes it. */
  readonly dir: string;
  /**
   * The bodies the test will `send` (empty when it sends none). A source that makes its own input (a
   * generator) is configured to make exactly these, and its `send` only waits for it to finish.
   */
  readonly bodies: readonly string[];
}

/** The source under test and a client that feeds it through its real input. */
export interface SourceUnderTest {
  readonly source: Source;
  /**
   * Sends one event per body, in order, through the source's real input (a socket, a file), behaving like
   * a well-behaved sender: it waits when pushed back and resends what the source refused back to it.
   * `started` is what `source.start()` resolved with (e.g. `tcp://127.0.0.1:PORT`). It may resolve only
   * once the source has read everything, so the harness drains the channel before awaiting it.
   */
  send(bodies: readonly string[], started: string): Promise<void>;
  /** Releases what `send` opened (client connections); the harness stops the source itself. */
  cleanup(): Promise<void>;
  /**
   * True for a source that answers a refused batch with an error to its sender (an HTTP 503) instead of
   * holding it: it then counts more events received than accepted.
   */
  readonly refusesToSender?: boolean;
}

export type SourceFactory = (fixture: SourceFixture) => SourceUnderTest | Promise<SourceUnderTest>;

interface Rig {
  readonly under: SourceUnderTest;
  readonly source: Source;
  readonly channel: MemoryChannel;
  readonly remove: () => void;
}

/** A channel that refuses quickly: used to check backpressure without a consumer. */
const TINY = { capacity: 20, transaction_capacity: 10 } as const;
const ROOMY = { capacity: 100_000, transaction_capacity: 100 } as const;

/** Bodies `${prefix}000000…`, fixed width so a mismatch reads well in a diff. */
function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, "0")}`);
}

/** Takes from `channel` until `count` events arrived (or 10 s passed); fails with what is missing. */
async function receive(channel: MemoryChannel, count: number, maxPerTake?: number): Promise<string[]> {
  const options = maxPerTake === undefined ? { count, timeoutMs: 10_000 } : { count, timeoutMs: 10_000, maxPerTake };
  const got = bodies(await consume(channel, options));
  if (got.length < count) throw new Error(`only ${got.length} of ${count} events reached the channel (last: ${got.slice(-3).join(" | ") || "none"})`);
  return got;
}

/**
 * The checks every source passes (docs/component-rules.md). `factory` builds the source with the given
 * processor and a client for it; the harness owns the channel, starts and stops the source.
 */
export function sourceCompliance(name: string, factory: SourceFactory): void {
  describe(`source compliance: ${name}`, () => {
    const rigs: Rig[] = [];

    afterEach(async () => {
      for (const rig of rigs.splice(0)) {
        await rig.under.cleanup();
        // stop() may wait for events still waiting for room: keep draining while it does.
        let stopped = false;
        const stopping = rig.source.stop().then(() => {
          stopped = true;
        });
        const deadline = Date.now() + 5_000;
        while (!stopped && Date.now() < deadline) {
          takeAll(rig.channel);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        rig.remove();
        if (!stopped) throw new Error(`cleanup: ${name} source's stop() did not resolve within 5 s`);
        await stopping;
      }
    });

    async function build(channelConfig: { capacity: number; transaction_capacity: number }, bodies: readonly string[] = []): Promise<Rig> {
      const channel = memoryChannel("compliance", channelConfig);
      await channel.start();
      const dir = createTempDir(`flowc-compliance-${name}-`);
      const processor = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
      const under = await factory({ processor, batchSize: channelConfig.transaction_capacity, dir: dir.path, bodies });
      const rig: Rig = { under, source: under.source, channel, remove: dir.remove };
      rigs.push(rig);
      return rig;
    }

    async function start(rig: Rig): Promise<string> {
      return withTimeout(rig.source.start(silentLogger()), 5_000, `${name} source's start()`);
    }

    it(checks(RULE.start, RULE.deliver), async () => {
      const sent = numbered("deliver", 500);
      const rig = await build(ROOMY, sent);
      const started = await start(rig);
      expect(started).toMatch(/\S/);
      const sending = rig.under.send(sent, started);
      expect(await receive(rig.channel, sent.length)).toEqual(sent);
      await withTimeout(sending, 5_000, "send() to finish");
    });

    it(checks(RULE.received, RULE.accepted), async () => {
      const sent = numbered("count", 300);
      const rig = await build(ROOMY, sent);
      const started = await start(rig);
      const sending = rig.under.send(sent, started);
      await receive(rig.channel, sent.length);
      await withTimeout(sending, 5_000, "send() to finish");
      const counter = rig.source.counter;
      expect(counter.EventReceivedCount).toBe(sent.length);
      expect(counter.EventAcceptedCount).toBe(sent.length);
      expect(counter.ChannelWriteFail).toBe(0);
    });

    it(checks(RULE.backpressure, RULE.writeFail, RULE.accepted), async () => {
      const sent = numbered("pressure", 2_000);
      const rig = await build(TINY, sent);
      const started = await start(rig);
      const sending = rig.under.send(sent, started);
      // No consumer yet: the channel fills and refuses; the source must hold or push back, not drop.
      await waitFor("the channel to refuse a batch (ChannelWriteFail > 0)", () => rig.source.counter.ChannelWriteFail > 0, 5_000);
      expect(rig.channel.size()).toBeLessThanOrEqual(TINY.capacity);
      const got = await receive(rig.channel, sent.length, 7);
      await withTimeout(sending, 5_000, "send() to finish");
      expect(got.length).toBe(sent.length);
      const firstWrong = got.findIndex((body, i) => body !== sent[i]);
      expect(firstWrong, `first lost, duplicated or reordered event at index ${firstWrong}: ${got[firstWrong]}`).toBe(-1);
      expect(rig.source.counter.ChannelWriteFail).toBeGreaterThan(0);
      expect(rig.source.counter.EventAcceptedCount).toBe(sent.length);
      expect(rig.channel.counter.EventPutSuccessCount).toBe(sent.length);
    });

    it(checks(RULE.stopHandsOver), async () => {
      const sent = numbered("stop", 500);
      const rig = await build(TINY, sent);
      const started = await start(rig);
      void rig.under.send(sent, started).catch(() => undefined); // stop() cuts the sender off part-way
      await waitFor("the channel to refuse a batch", () => rig.source.counter.ChannelWriteFail > 0, 5_000);
      const delivered: string[] = [];
      let stopped = false;
      const stopping = rig.source.stop().then(() => {
        stopped = true;
      });
      const deadline = Date.now() + 5_000;
      while (!stopped && Date.now() < deadline) {
        delivered.push(...bodies(takeAll(rig.channel)));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await withTimeout(stopping, 1_000, `${name} source's stop() while its channel is drained`);
      delivered.push(...bodies(takeAll(rig.channel)));
      const counter = rig.source.counter;
      // What arrived is exactly the first events sent, nothing skipped, and all that was accepted.
      expect(delivered).toEqual(sent.slice(0, delivered.length));
      expect(counter.EventAcceptedCount).toBe(delivered.length);
      if (rig.under.refusesToSender !== true) expect(counter.EventReceivedCount).toBe(delivered.length);
    });

    it(checks(RULE.stop), async () => {
      const rig = await build(ROOMY);
      await start(rig);
      await withTimeout(rig.source.stop(), 5_000, "the first stop()");
      await withTimeout(rig.source.stop(), 5_000, "a second stop()");
      const neverStarted = await build(ROOMY);
      await withTimeout(neverStarted.source.stop(), 5_000, "stop() of a source that was never started");
    });
  });
}
