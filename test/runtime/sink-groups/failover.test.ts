import { afterEach, describe, expect, it } from "vitest";
import { failoverGroupSpec } from "../../../runtime/sink-groups/failover/spec";
import { FailoverSinkGroup } from "../../../runtime/sink-groups/failover/failover-group";
import { SinkRunner } from "../../../runtime/sink-runner/sink-runner";
import { putCommitted } from "../../helpers/channel-io";
import { bodies, numberedEvents } from "../../helpers/events";
import { FakeSink } from "../../helpers/fake-sink";
import { memoryChannel } from "../../helpers/memory-channel";
import { createPrng } from "../../helpers/prng";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void; readonly t: number } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    get t() {
      return t;
    },
  };
}

async function startedGroup(members: FakeSink[], maxPenaltyMs = 30_000, now: () => number = Date.now): Promise<FailoverSinkGroup> {
  const group = new FailoverSinkGroup("out", configOf(failoverGroupSpec, { max_penalty: maxPenaltyMs }), members, now);
  await group.start(silentLogger());
  return group;
}

describe("failover sink group", () => {
  it("sends every batch to the highest-priority sink while it works", async () => {
    const [primary, spare] = [new FakeSink("primary"), new FakeSink("spare")];
    const group = await startedGroup([primary, spare]);
    await group.write(numberedEvents(3));
    await group.write(numberedEvents(2, "e", 3));
    expect(primary.written).toEqual(["e0", "e1", "e2", "e3", "e4"]);
    expect(spare.attempts).toEqual([]);
  });

  it("fails over to the next sink with the same batch within one write", async () => {
    const [primary, spare, last] = [new FakeSink("primary"), new FakeSink("spare"), new FakeSink("last")];
    primary.failing = true;
    spare.failing = true;
    const group = await startedGroup([primary, spare, last]);
    await group.write(numberedEvents(4));
    expect(primary.attempts).toEqual([["e0", "e1", "e2", "e3"]]);
    expect(spare.attempts).toEqual([["e0", "e1", "e2", "e3"]]);
    expect(last.written).toEqual(["e0", "e1", "e2", "e3"]);
    // Failed sinks are cooling down: the next batch goes straight to the one that works.
    await group.write(numberedEvents(1, "e", 4));
    expect(primary.attempts.length).toBe(1);
    expect(spare.attempts.length).toBe(1);
    expect(last.written).toEqual(["e0", "e1", "e2", "e3", "e4"]);
  });

  it("leaves a failed sink alone for min(max_penalty, 2^n s): 2 s, 4 s, 8 s, then the cap", async () => {
    const clock = fakeClock();
    const [primary, spare] = [new FakeSink("primary"), new FakeSink("spare")];
    primary.failing = true;
    const group = await startedGroup([primary, spare], 10_000, clock.now);
    const tries = (): number => primary.attempts.length;
    await group.write(numberedEvents(1));
    expect(tries()).toBe(1);
    for (const penalty of [2_000, 4_000, 8_000, 10_000, 10_000]) {
      const before = tries();
      clock.advance(penalty - 1);
      await group.write(numberedEvents(1));
      expect(tries(), `still cooling down ${penalty - 1} ms into a ${penalty} ms penalty`).toBe(before);
      clock.advance(1);
      await group.write(numberedEvents(1));
      expect(tries(), `tried again once the ${penalty} ms penalty ended`).toBe(before + 1);
    }
    expect(spare.written.length).toBe(11);
  });

  it("tries a sink again once its cool-down is over and gives it all traffic again when it works", async () => {
    const clock = fakeClock();
    const [primary, spare] = [new FakeSink("primary"), new FakeSink("spare")];
    const group = await startedGroup([primary, spare], 30_000, clock.now);
    await group.write(numberedEvents(1, "a"));
    primary.failing = true;
    await group.write(numberedEvents(1, "b"));
    primary.failing = false;
    clock.advance(1_000);
    await group.write(numberedEvents(1, "c")); // primary still cooling down
    clock.advance(1_000);
    await group.write(numberedEvents(1, "d")); // 2 s after the failure: primary first again
    await group.write(numberedEvents(1, "e"));
    expect(primary.written).toEqual(["a0", "d0", "e0"]);
    expect(spare.written).toEqual(["b0", "c0"]);
    // Its failure count was reset: a new failure starts at 2 s again.
    primary.failing = true;
    await group.write(numberedEvents(1, "f"));
    primary.failing = false;
    clock.advance(2_000);
    await group.write(numberedEvents(1, "g"));
    expect(primary.written).toEqual(["a0", "d0", "e0", "g0"]);
  });

  it("rejects when every sink failed, then waits for the first cool-down before trying again", async () => {
    const clock = fakeClock();
    const [primary, spare] = [new FakeSink("primary"), new FakeSink("spare")];
    primary.failing = true;
    spare.failing = true;
    const group = await startedGroup([primary, spare], 30_000, clock.now);
    await expect(group.write(numberedEvents(2))).rejects.toThrow("all sinks of group `out` failed; retrying `primary` in 2000 ms");
    clock.advance(500);
    await expect(group.write(numberedEvents(2))).rejects.toThrow("all sinks of group `out` failed; retrying `primary` in 1500 ms");
    expect([primary.attempts.length, spare.attempts.length]).toEqual([1, 1]);
    spare.failing = false;
    clock.advance(1_500);
    await group.write(numberedEvents(2)); // primary fails again (now 4 s), spare is back
    expect([primary.attempts.length, spare.attempts.length]).toEqual([2, 2]);
    expect(spare.written).toEqual(["e0", "e1"]);
  });

  it("the rejection carries the last error of the sink it names as its cause", async () => {
    const only = new FakeSink("only");
    only.failing = true;
    const group = await startedGroup([only]);
    const error = await group.write(numberedEvents(1)).catch((e: unknown) => e);
    expect((error as Error).cause).toEqual(new Error("only is down"));
  });

  it("updates each member's own counter for what went through it; leaves its own to the runner", async () => {
    const [primary, spare] = [new FakeSink("primary", 5), new FakeSink("spare", 10)];
    primary.failing = true;
    const group = await startedGroup([primary, spare]);
    expect(group.batchSize).toBe(5);
    await group.write(numberedEvents(5));
    await group.write(numberedEvents(3));
    expect(primary.counter).toMatchObject({ EventDrainAttemptCount: 5, EventDrainSuccessCount: 0, EventWriteFail: 5, BatchCompleteCount: 1, BatchUnderflowCount: 0 });
    expect(spare.counter).toMatchObject({ EventDrainAttemptCount: 8, EventDrainSuccessCount: 8, EventWriteFail: 0, BatchCompleteCount: 0, BatchUnderflowCount: 2 });
    expect(group.counter).toMatchObject({ EventDrainAttemptCount: 0, EventDrainSuccessCount: 0 });
    expect(group.counter.StartTime).toBeGreaterThan(0);
  });

  it("logs a member's failure with its name and the error", async () => {
    const { log, lines } = recordingLogger();
    const [primary, spare] = [new FakeSink("primary"), new FakeSink("spare")];
    const group = new FailoverSinkGroup("out", configOf(failoverGroupSpec), [primary, spare], () => 0);
    await group.start(log.child({ sink: "out" }));
    primary.failing = true;
    await group.write(numberedEvents(1));
    const warning = lines.find((line) => line.includes("level=warn"));
    expect(warning).toContain('msg="sink failed, failing over"');
    expect(warning).toContain("member=primary");
    expect(warning).toContain('error="primary is down"');
    expect(warning).toContain("retry_in_ms=2000");
    expect(warning).toContain("sink=out");
  });

  it("starts and stops every member; a member that cannot start stops the others again", async () => {
    const [a, b] = [new FakeSink("a"), new FakeSink("b")];
    const group = await startedGroup([a, b]);
    expect([a.started, b.started]).toEqual([true, true]);
    await group.stop();
    expect([a.stopped, b.stopped]).toEqual([true, true]);

    const [c, d] = [new FakeSink("c"), new FakeSink("d")];
    d.startError = new Error("cannot open");
    await expect(startedGroup([c, d])).rejects.toThrow("cannot open");
    expect(c.stopped).toBe(true);
  });

  it("needs at least one sink", () => {
    expect(() => new FailoverSinkGroup("out", configOf(failoverGroupSpec), [])).toThrow("failover group `out` has no sinks");
    expect(failoverGroupSpec.members).toEqual({ role: "sink", min: 1 });
    expect(failoverGroupSpec.properties.max_penalty.default).toBe(30_000);
  });

  describe("run by a SinkRunner from a memory channel", () => {
    const runners: SinkRunner[] = [];
    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.drainAndStop(Date.now());
    });

    for (const seed of [1, 2, 3]) {
      it(`delivers every event exactly once, in order, while the primary flaps (seed ${seed})`, async () => {
        const prng = createPrng(seed);
        let t = 0;
        // Every reading of the clock moves it on, so cool-downs end without sleeping.
        const now = (): number => (t += 250);
        const delivered: { sink: string; body: string }[] = [];
        const primary = new FakeSink("primary", 7, { delivered, failsWhen: () => prng.chance(0.4) });
        const spare = new FakeSink("spare", 9, { delivered, failsWhen: () => prng.chance(0.2) });
        const group = new FailoverSinkGroup("out", configOf(failoverGroupSpec, { max_penalty: 4_000 }), [primary, spare], now);
        const channel = memoryChannel("c", { capacity: 10_000, transaction_capacity: 50 });
        const runner = new SinkRunner(group, channel, { failureBackoffMs: 1, maxFailureBackoffMs: 2 });
        runners.push(runner);
        await runner.start(silentLogger());
        const total = 600;
        for (let from = 0; from < total; from += 50) {
          putCommitted(channel, numberedEvents(50, "e", from));
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        await waitFor("every event delivered", () => delivered.length >= total, 8_000);
        expect(delivered.map((d) => d.body)).toEqual(bodies(numberedEvents(total)));
        for (const batch of [...primary.attempts, ...spare.attempts]) expect(batch.length).toBeLessThanOrEqual(7);
        expect(primary.written.length).toBeGreaterThan(0);
        expect(spare.written.length).toBeGreaterThan(0);
        expect(primary.counter.EventDrainSuccessCount + spare.counter.EventDrainSuccessCount).toBe(total);
        expect(group.counter.EventDrainSuccessCount).toBe(total);
        // The primary failed over within writes, and some batches failed on both and were rolled back.
        expect(primary.counter.EventWriteFail).toBeGreaterThan(0);
        expect(group.counter.EventWriteFail).toBeGreaterThan(0);
        expect(channel.size()).toBe(0);
      });
    }
  });
});
