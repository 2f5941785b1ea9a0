import { afterEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../runtime/channels/memory/memory-channel";
import type { Sink } from "../../runtime/core/component";
import { SinkRunner } from "../../runtime/sink-runner/sink-runner";
import { putCommitted } from "../helpers/channel-io";
import { event } from "../helpers/events";
import { memoryChannel } from "../helpers/memory-channel";
import { silentLogger } from "../helpers/silent-logger";
import { createTempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";
import { SINK_RULES as RULE, checks } from "./rules";

/** What the harness gives the factory to build the sink under test with. */
export interface SinkFixture {
  /** Configure the sink's batch size to this (the channel's transaction capacity). */
  readonly batchSize: number;
  /** A fresh directory for the destination (files, a local server's data); the harness deletes it. */
  readonly dir: string;
}

/** The sink under test, a way to read its destination, and a way to make deliveries fail. */
export interface SinkUnderTest {
  readonly sink: Sink;
  /** The bodies at the destination now, in the order they arrived. */
  delivered(): Promise<string[]>;
  /**
   * Makes every delivery fail from now on (the sink is started), ideally part-way through a batch: a
   * full disk, a server that drops the connection after half a batch. Undone by `recover`.
   */
  breakDestination(): void | Promise<void>;
  recover(): void | Promise<void>;
  /** True for a sink whose retry may deliver events twice (an acknowledgement lost in transit). */
  readonly mayDuplicateOnRetry?: boolean;
  /** Releases what the factory set up besides the sink (a local server); the harness stops the sink. */
  cleanup?(): Promise<void>;
}

export type SinkFactory = (fixture: SinkFixture) => SinkUnderTest | Promise<SinkUnderTest>;

/** Failed deliveries are retried quickly here; the backoff itself is the SinkRunner's tests' subject. */
const FAST_RETRY = { failureBackoffMs: 1, maxFailureBackoffMs: 10 };
const BATCH = 10;

interface Rig {
  readonly under: SinkUnderTest;
  readonly sink: Sink;
  readonly channel: MemoryChannel;
  runner: SinkRunner | undefined;
  /** The destination's contents right after each rejected write(), before the runner could retry. */
  readonly afterFailures: string[][];
  readonly remove: () => void;
}

function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, "0")}`);
}

function put(channel: MemoryChannel, bodies: readonly string[]): void {
  for (let i = 0; i < bodies.length; i += BATCH) putCommitted(channel, bodies.slice(i, i + BATCH).map((body) => event(body)));
}

/** Each body once, in order of first appearance: what an at-least-once destination holds without its duplicates. */
function firstAppearances(bodies: readonly string[]): string[] {
  return [...new Set(bodies)];
}

/**
 * The checks every sink passes (docs/component-rules.md), driven through the real SinkRunner and a
 * memory channel. `factory` builds the sink, a reader for its destination and a failure switch.
 */
export function sinkCompliance(name: string, factory: SinkFactory): void {
  describe(`sink compliance: ${name}`, () => {
    const rigs: Rig[] = [];

    afterEach(async () => {
      for (const rig of rigs.splice(0)) {
        await rig.under.recover();
        if (rig.runner !== undefined) await rig.runner.drainAndStop(Date.now());
        else await rig.sink.stop();
        await rig.under.cleanup?.();
        rig.remove();
      }
    });

    async function build(): Promise<Rig> {
      const channel = memoryChannel("compliance", { capacity: 1_000, transaction_capacity: BATCH });
      await channel.start();
      const dir = createTempDir(`flowc-compliance-${name}-`);
      const under = await factory({ batchSize: BATCH, dir: dir.path });
      const rig: Rig = { under, sink: under.sink, channel, runner: undefined, afterFailures: [], remove: dir.remove };
      // A spy on write(): while an attempt is in flight the destination may hold part of it (the sink undoes
      // that before rejecting), so the destination is read once the rejection is certain and before the
      // runner sees it, i.e. before any retry can start.
      const sink = under.sink;
      const write = sink.write.bind(sink);
      sink.write = async (events) => {
        try {
          await write(events);
        } catch (error) {
          rig.afterFailures.push(await under.delivered());
          throw error;
        }
      };
      rigs.push(rig);
      return rig;
    }

    async function startRunner(rig: Rig): Promise<SinkRunner> {
      const runner = new SinkRunner(rig.sink, rig.channel, FAST_RETRY);
      rig.runner = runner;
      await withTimeout(runner.start(silentLogger()), 5_000, `${name} sink's start()`);
      return runner;
    }

    async function waitForDelivered(rig: Rig, count: number): Promise<string[]> {
      return waitFor(`${count} events at the ${name} sink's destination`, async () => {
        const delivered = await rig.under.delivered();
        return (rig.under.mayDuplicateOnRetry === true ? firstAppearances(delivered) : delivered).length >= count && delivered;
      }, 10_000);
    }

    it(checks(RULE.start, RULE.deliver), async () => {
      const rig = await build();
      await startRunner(rig);
      const sent = numbered("deliver", 95);
      put(rig.channel, sent);
      expect(await waitForDelivered(rig, sent.length)).toEqual(sent);
      await waitFor("the channel to be empty", () => rig.channel.size() === 0, 5_000);
    });

    it(checks(RULE.drainCounts, RULE.batchCounts, RULE.connections), async () => {
      const rig = await build();
      put(rig.channel, numbered("count", 25)); // before the runner starts: takes of 10, 10, 5, then none
      await startRunner(rig);
      await waitForDelivered(rig, 25);
      const counter = rig.sink.counter;
      await waitFor("an empty take once everything was delivered", () => counter.BatchEmptyCount >= 1, 5_000);
      expect(counter.EventDrainAttemptCount).toBe(25);
      expect(counter.EventDrainSuccessCount).toBe(25);
      expect(counter.BatchCompleteCount).toBe(2);
      expect(counter.BatchUnderflowCount).toBe(1);
      expect(counter.ConnectionCreatedCount).toBeGreaterThanOrEqual(1);
    });

    it(checks(RULE.rollback, RULE.noPartial, RULE.drainCounts), async () => {
      const rig = await build();
      await startRunner(rig);
      const before = numbered("before", 5);
      put(rig.channel, before);
      await waitForDelivered(rig, before.length);

      await rig.under.breakDestination();
      const during = numbered("during", 23);
      put(rig.channel, during);
      const counter = rig.sink.counter;
      await waitFor("several failed deliveries", () => counter.EventWriteFail >= 3 * BATCH, 5_000);
      // Rolled back each time: all of them are still the channel's, and after each failed attempt none of
      // the batch was left at the destination.
      expect(rig.channel.size()).toBe(during.length);
      expect(rig.afterFailures.length).toBeGreaterThanOrEqual(3);
      if (rig.under.mayDuplicateOnRetry !== true) for (const contents of rig.afterFailures) expect(contents).toEqual(before);
      expect(counter.EventDrainSuccessCount).toBe(before.length);

      await rig.under.recover();
      const all = [...before, ...during];
      const delivered = await waitForDelivered(rig, all.length);
      expect(rig.under.mayDuplicateOnRetry === true ? firstAppearances(delivered) : delivered).toEqual(all);
      await waitFor("the channel to be empty", () => rig.channel.size() === 0, 5_000);
      expect(counter.EventDrainSuccessCount).toBe(all.length);
      expect(rig.channel.counter.EventTakeSuccessCount).toBe(all.length);
    });

    it(checks(RULE.stop), async () => {
      const rig = await build();
      const runner = await startRunner(rig);
      put(rig.channel, numbered("stop", 30));
      expect(await withTimeout(runner.drainAndStop(Date.now() + 5_000), 6_000, "drainAndStop()")).toBe(0);
      expect(await rig.under.delivered()).toEqual(numbered("stop", 30));
      await withTimeout(rig.sink.stop(), 5_000, "a second stop()");
      rig.runner = undefined;
      const neverStarted = await build();
      await withTimeout(neverStarted.sink.stop(), 5_000, "stop() of a sink that was never started");
    });
  });
}
