import { afterEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../runtime/channels/memory/memory-channel";
import { memoryChannel } from "../helpers/memory-channel";
import type { Sink } from "../../runtime/core/component";
import type { FlowEvent } from "../../runtime/core/event";
import type { Logger } from "../../runtime/core/log";
import { SinkCounter } from "../../runtime/metrics/counters";
import { SinkRunner } from "../../runtime/sink-runner/sink-runner";
import { putCommitted, takeAll } from "../helpers/channel-io";
import { bodies, numberedEvents } from "../helpers/events";
import { silentLogger } from "../helpers/silent-logger";
import { waitFor } from "../helpers/wait-for";

const FAST = { failureBackoffMs: 1, maxFailureBackoffMs: 5 };

/** An in-memory sink that records every attempted batch and can be told to fail. */
class FakeSink implements Sink {
  readonly counter = new SinkCounter();
  /** Bodies of every batch `write` was called with, failed or not. */
  readonly attempts: string[][] = [];
  /** Bodies that were written successfully, in order. */
  readonly written: string[] = [];
  started = false;
  stopped = false;

  constructor(
    readonly name: string,
    readonly batchSize: number,
    /** Decides whether attempt number `attempt` (0-based) fails. */
    private readonly fails: (attempt: number, batch: readonly string[]) => boolean = () => false,
  ) {}

  async start(_log: Logger): Promise<void> {
    this.started = true;
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    const batch = bodies(events);
    const attempt = this.attempts.length;
    this.attempts.push(batch);
    await Promise.resolve(); // resolve asynchronously, like a real sink
    if (this.fails(attempt, batch)) throw new Error(`injected failure on attempt ${attempt}`);
    this.written.push(...batch);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

const runners: SinkRunner[] = [];

afterEach(async () => {
  // Stop whatever a test left running: a deadline in the past makes the loop exit promptly.
  for (const runner of runners.splice(0)) await runner.drainAndStop(Date.now());
});

async function startRunner(sink: Sink, channel: MemoryChannel): Promise<SinkRunner> {
  const runner = new SinkRunner(sink, channel, FAST);
  runners.push(runner);
  await runner.start(silentLogger());
  return runner;
}

/** Stops a runner started by `startRunner` (so afterEach does not stop it again). */
async function drainAndStop(runner: SinkRunner, deadline: number): Promise<number> {
  runners.splice(runners.indexOf(runner), 1);
  return runner.drainAndStop(deadline);
}

describe("SinkRunner", () => {
  it("starts the sink and delivers everything in order, in batches of the sink's size", async () => {
    const channel = memoryChannel("c", { capacity: 1_000, transaction_capacity: 100 });
    const sink = new FakeSink("k", 7);
    putCommitted(channel, numberedEvents(50));
    await startRunner(sink, channel);
    expect(sink.started).toBe(true);
    putCommitted(channel, numberedEvents(30, "e", 50));
    await waitFor("all 80 events written", () => sink.written.length === 80, 5_000);
    expect(sink.written).toEqual(bodies(numberedEvents(80)));
    for (const batch of sink.attempts) expect(batch.length).toBeLessThanOrEqual(7);
    expect(channel.size()).toBe(0);
    expect(sink.counter.EventDrainAttemptCount).toBe(80);
    expect(sink.counter.EventDrainSuccessCount).toBe(80);
    expect(sink.counter.EventWriteFail).toBe(0);
    expect(sink.counter.BatchCompleteCount + sink.counter.BatchUnderflowCount).toBe(sink.attempts.length);
    expect(sink.counter.BatchCompleteCount).toBeGreaterThanOrEqual(10); // 80 in batches of 7, at most 2 short ones
  });

  it("takes no more than the channel's transaction capacity per batch", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 4 });
    const sink = new FakeSink("k", 50);
    putCommitted(channel, numberedEvents(4));
    putCommitted(channel, numberedEvents(4, "e", 4));
    putCommitted(channel, numberedEvents(2, "e", 8));
    await startRunner(sink, channel);
    await waitFor("10 events written", () => sink.written.length === 10, 5_000);
    expect(sink.attempts).toEqual([
      ["e0", "e1", "e2", "e3"],
      ["e4", "e5", "e6", "e7"],
      ["e8", "e9"],
    ]);
    expect(sink.counter.BatchCompleteCount).toBe(2);
    expect(sink.counter.BatchUnderflowCount).toBe(1);
  });

  it("retries the same batch after failures (rollback), without loss or duplicates", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 20 });
    const sink = new FakeSink("k", 5, (attempt) => attempt >= 1 && attempt <= 3); // the 2nd batch fails 3 times
    putCommitted(channel, numberedEvents(12));
    await startRunner(sink, channel);
    await waitFor("12 events written", () => sink.written.length === 12, 5_000);
    expect(sink.attempts).toEqual([
      ["e0", "e1", "e2", "e3", "e4"],
      ["e5", "e6", "e7", "e8", "e9"],
      ["e5", "e6", "e7", "e8", "e9"],
      ["e5", "e6", "e7", "e8", "e9"],
      ["e5", "e6", "e7", "e8", "e9"],
      ["e10", "e11"],
    ]);
    expect(sink.written).toEqual(bodies(numberedEvents(12)));
    expect(channel.size()).toBe(0);
    expect(channel.counter.EventTakeSuccessCount).toBe(12);
    expect(sink.counter.EventWriteFail).toBe(15);
    expect(sink.counter.EventDrainSuccessCount).toBe(12);
  });

  it("keeps retrying a failed batch ahead of events put meanwhile", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 10 });
    let failing = true;
    const sink = new FakeSink("k", 3, () => failing);
    putCommitted(channel, numberedEvents(3));
    await startRunner(sink, channel);
    await waitFor("a failed attempt", () => sink.attempts.length >= 2, 5_000);
    putCommitted(channel, numberedEvents(3, "e", 3));
    failing = false;
    await waitFor("6 events written", () => sink.written.length === 6, 5_000);
    expect(sink.written).toEqual(bodies(numberedEvents(6)));
    for (const attempt of sink.attempts.slice(0, -1)) expect(attempt).toEqual(["e0", "e1", "e2"]);
  });

  it("wakes from idle when events are put", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 10 });
    const sink = new FakeSink("k", 10);
    await startRunner(sink, channel);
    await waitFor("the runner to find the channel empty", () => sink.counter.BatchEmptyCount >= 1, 5_000);
    expect(sink.attempts).toEqual([]);
    const emptyBatches = sink.counter.BatchEmptyCount;
    putCommitted(channel, numberedEvents(3));
    await waitFor("3 events written", () => sink.written.length === 3, 5_000);
    putCommitted(channel, numberedEvents(2, "e", 3));
    await waitFor("5 events written", () => sink.written.length === 5, 5_000);
    expect(sink.written).toEqual(bodies(numberedEvents(5)));
    // Idle means parked, not spinning: only a handful of empty takes happened around the two puts.
    expect(sink.counter.BatchEmptyCount - emptyBatches).toBeLessThanOrEqual(2);
  });

  it("drainAndStop delivers everything buffered, stops the sink and resolves with 0", async () => {
    const channel = memoryChannel("c", { capacity: 1_000, transaction_capacity: 50 });
    const sink = new FakeSink("k", 20);
    const runner = await startRunner(sink, channel);
    putCommitted(channel, numberedEvents(50));
    putCommitted(channel, numberedEvents(50, "e", 50));
    const left = await drainAndStop(runner, Date.now() + 5_000);
    expect(left).toBe(0);
    expect(sink.written).toEqual(bodies(numberedEvents(100)));
    expect(sink.stopped).toBe(true);
  });

  it("drainAndStop on an idle runner resolves at once with 0", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 10 });
    const sink = new FakeSink("k", 10);
    const runner = await startRunner(sink, channel);
    await waitFor("the runner to park", () => sink.counter.BatchEmptyCount >= 1, 5_000);
    expect(await drainAndStop(runner, Date.now() + 60_000)).toBe(0);
    expect(sink.stopped).toBe(true);
  });

  it("drainAndStop with a sink that always fails gives up at the deadline and reports what is left", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 10 });
    const sink = new FakeSink("k", 4, () => true);
    putCommitted(channel, numberedEvents(7));
    const runner = await startRunner(sink, channel);
    await waitFor("a failed attempt", () => sink.attempts.length >= 1, 5_000);
    const left = await drainAndStop(runner, Date.now() + 50);
    expect(left).toBe(7);
    expect(sink.written).toEqual([]);
    expect(sink.stopped).toBe(true);
    // Every failed batch was rolled back: the events are still there, in order.
    expect(bodies(takeAll(channel))).toEqual(bodies(numberedEvents(7)));
    for (const attempt of sink.attempts) expect(attempt).toEqual(["e0", "e1", "e2", "e3"]);
  });

  it("drainAndStop reports what is left when a sink succeeds only partly before the deadline", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 10 });
    const sink = new FakeSink("k", 5, (_attempt, batch) => batch[0] === "e10"); // the third batch never goes through
    putCommitted(channel, numberedEvents(10));
    putCommitted(channel, numberedEvents(8, "e", 10));
    const runner = await startRunner(sink, channel);
    await waitFor("the third batch to fail", () => sink.counter.EventWriteFail > 0, 5_000);
    const left = await drainAndStop(runner, Date.now() + 30);
    expect(left).toBe(8);
    expect(sink.written).toEqual(bodies(numberedEvents(10)));
    expect(bodies(takeAll(channel))).toEqual(bodies(numberedEvents(8, "e", 10)));
  });

  it("keeps drainAndStop within its deadline when a delivery never settles", async () => {
    const channel = memoryChannel("c", { capacity: 100, transaction_capacity: 20 });
    const hung: Sink = {
      name: "hung",
      counter: new SinkCounter(),
      batchSize: 5,
      start: async () => undefined,
      write: () => new Promise<void>(() => undefined),
      stop: async () => undefined,
    };
    putCommitted(channel, numberedEvents(12));
    const runner = await startRunner(hung, channel);
    await waitFor("the first delivery to start", () => hung.counter.EventDrainAttemptCount === 5);
    const started = Date.now();
    // The 5 events of the batch being delivered are still the channel's until a commit.
    expect(await drainAndStop(runner, Date.now() + 50)).toBe(12);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
