import { afterEach, describe, expect, it } from "vitest";
import { loadBalanceGroupSpec } from "../../../runtime/sink-groups/load-balance/spec";
import { LoadBalanceSinkGroup, type LoadBalanceSinkGroupConfig } from "../../../runtime/sink-groups/load-balance/load-balance-group";
import { SinkRunner } from "../../../runtime/sink-runner/sink-runner";
import { putCommitted } from "../../helpers/channel-io";
import { bodies, numberedEvents } from "../../helpers/events";
import { FakeSink } from "../../helpers/fake-sink";
import { memoryChannel } from "../../helpers/memory-channel";
import { createPrng } from "../../helpers/prng";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";

function sinks<Names extends string[]>(...names: Names): { [K in keyof Names]: FakeSink } {
  return names.map((name) => new FakeSink(name)) as { [K in keyof Names]: FakeSink };
}

async function startedGroup(
  members: FakeSink[],
  config: Partial<LoadBalanceSinkGroupConfig> = {},
  now: () => number = Date.now,
  random: () => number = Math.random,
): Promise<LoadBalanceSinkGroup> {
  const group = new LoadBalanceSinkGroup("lb", configOf(loadBalanceGroupSpec, config), members, now, random);
  await group.start(silentLogger());
  return group;
}

let batchNumber = 0;

/** Which sink took each of `count` one-event batches (each with a body never used before). */
async function takers(group: LoadBalanceSinkGroup, members: FakeSink[], count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = `batch${batchNumber++}`;
    await group.write(numberedEvents(1, body));
    out.push(members.find((m) => m.written.includes(`${body}0`))?.name ?? "none");
  }
  return out;
}

describe("load_balance sink group", () => {
  it("round_robin (the default) gives each sink a turn, in list order", async () => {
    const members = sinks("a", "b", "c");
    const group = await startedGroup(members);
    expect(await takers(group, members, 7)).toEqual(["a", "b", "c", "a", "b", "c", "a"]);
    for (const member of members) expect(member.attempts.length).toBe(member.written.length);
  });

  it("without backoff, a failing sink's turn goes to the next one, with the same batch", async () => {
    const members = sinks("a", "b", "c");
    members[1].failing = true;
    const group = await startedGroup(members);
    // The turn after a batch starts at the sink after the one that took it, so a and c alternate.
    expect(await takers(group, members, 6)).toEqual(["a", "c", "a", "c", "a", "c"]);
    expect(members[1].attempts.length).toBe(3);
    expect(members[1].counter.EventWriteFail).toBe(3);
  });

  it("with backoff, leaves a failed sink out for 2 s and shares its turns evenly, then takes it back", async () => {
    let t = 0;
    const members = sinks("a", "b", "c");
    members[1].failing = true;
    const group = await startedGroup(members, { backoff: true }, () => t);
    expect(await takers(group, members, 1)).toEqual(["a"]);
    expect(await takers(group, members, 1)).toEqual(["c"]); // b failed: out until t = 2000
    t = 1_999;
    expect(await takers(group, members, 6)).toEqual(["a", "c", "a", "c", "a", "c"]);
    expect(members[0].written.length).toBe(4);
    expect(members[2].written.length).toBe(4);
    expect(members[1].attempts.length).toBe(1);
    members[1].failing = false;
    t = 2_000;
    expect(await takers(group, members, 3)).toEqual(["a", "b", "c"]);
  });

  it("with backoff, doubles the exclusion on each consecutive failure up to max_backoff, and a success resets it", async () => {
    let t = 0;
    const [a, b] = sinks("a", "b");
    b.failing = true;
    const group = await startedGroup([a, b], { backoff: true, max_backoff: 5_000 }, () => t);
    const bTries = (): number => b.attempts.length;
    await group.write(numberedEvents(1)); // a's turn
    await group.write(numberedEvents(1)); // b fails at t = 0: out for 2 s
    expect(bTries()).toBe(1);
    for (const exclusion of [2_000, 4_000, 5_000, 5_000]) {
      const before = bTries();
      t += exclusion - 1;
      await group.write(numberedEvents(1));
      await group.write(numberedEvents(1));
      expect(bTries(), `still out ${exclusion - 1} ms into ${exclusion} ms`).toBe(before);
      t += 1;
      await group.write(numberedEvents(1));
      await group.write(numberedEvents(1));
      expect(bTries(), `back after ${exclusion} ms`).toBe(before + 1);
    }
    b.failing = false;
    t += 5_000;
    await group.write(numberedEvents(1));
    await group.write(numberedEvents(1));
    expect(b.written.length).toBe(1);
    b.failing = true;
    await group.write(numberedEvents(1));
    await group.write(numberedEvents(1));
    const before = bTries();
    t += 2_000; // back to a 2 s exclusion after the success
    await group.write(numberedEvents(1));
    await group.write(numberedEvents(1));
    expect(bTries()).toBe(before + 1);
  });

  it("random spreads batches over the sinks about evenly (seed 7, 3000 batches)", async () => {
    const prng = createPrng(7);
    const members = sinks("a", "b", "c");
    const group = await startedGroup(members, { selector: "random" }, Date.now, prng.next);
    for (let i = 0; i < 3_000; i++) await group.write(numberedEvents(1));
    for (const member of members) {
      expect(member.written.length).toBeGreaterThan(850);
      expect(member.written.length).toBeLessThan(1_150);
    }
  });

  it("random tries every other sink before giving up on a batch", async () => {
    const prng = createPrng(11);
    const members = sinks("a", "b", "c", "d");
    members[0].failing = true;
    members[2].failing = true;
    const group = await startedGroup(members, { selector: "random" }, Date.now, prng.next);
    for (let i = 0; i < 200; i++) await group.write(numberedEvents(1, `x${i}-`));
    expect(members[1].written.length + members[3].written.length).toBe(200);
    expect(members[1].written.length).toBeGreaterThan(50);
    expect(members[3].written.length).toBeGreaterThan(50);
    // Each batch was offered to each sink at most once.
    for (const member of members) expect(new Set(member.attempts.map((a) => a[0])).size).toBe(member.attempts.length);
  });

  it("rejects when every sink failed, having tried each once", async () => {
    const members = sinks("a", "b", "c");
    for (const member of members) member.failing = true;
    const group = await startedGroup(members);
    await expect(group.write(numberedEvents(2))).rejects.toThrow(/^all sinks of group `lb` failed; the last error \(`c`\): c is down$/);
    expect(members.map((m) => m.attempts.length)).toEqual([1, 1, 1]);
    members[0].failing = false;
    await group.write(numberedEvents(2));
  });

  it("with backoff, rejects without trying anything while every sink is left out", async () => {
    let t = 0;
    const [a, b] = sinks("a", "b");
    a.failing = true;
    b.failing = true;
    const group = await startedGroup([a, b], { backoff: true }, () => t);
    await expect(group.write(numberedEvents(1))).rejects.toThrow("all sinks of group `lb` failed");
    t = 500;
    await expect(group.write(numberedEvents(1))).rejects.toThrow("all sinks of group `lb` failed and are backed off; retrying `a` in 1500 ms");
    expect([a.attempts.length, b.attempts.length]).toEqual([1, 1]);
    b.failing = false;
    t = 2_000;
    await group.write(numberedEvents(1));
    expect(b.written).toEqual(["e0"]);
  });

  it("updates each member's counter; batchSize is the smallest member's", async () => {
    const [a, b] = [new FakeSink("a", 4), new FakeSink("b", 8)];
    a.failing = true;
    const group = await startedGroup([a, b]);
    expect(group.batchSize).toBe(4);
    await group.write(numberedEvents(4));
    expect(a.counter).toMatchObject({ EventDrainAttemptCount: 4, EventDrainSuccessCount: 0, EventWriteFail: 4, BatchCompleteCount: 1 });
    expect(b.counter).toMatchObject({ EventDrainAttemptCount: 4, EventDrainSuccessCount: 4, EventWriteFail: 0, BatchUnderflowCount: 1 });
    expect(group.sinks).toEqual([a, b]);
  });

  it("logs a member's failure with its name and the error", async () => {
    const { log, lines } = recordingLogger();
    const [a, b] = sinks("a", "b");
    a.failing = true;
    const group = new LoadBalanceSinkGroup("lb", configOf(loadBalanceGroupSpec, { backoff: true }), [a, b], () => 0);
    await group.start(log);
    await group.write(numberedEvents(1));
    const warning = lines.find((line) => line.includes("level=warn"));
    expect(warning).toContain("member=a");
    expect(warning).toContain('error="a is down"');
    expect(warning).toContain("backoff_ms=2000");
  });

  it("starts and stops every member", async () => {
    const members = sinks("a", "b");
    const group = await startedGroup(members);
    expect(members.map((m) => m.started)).toEqual([true, true]);
    await group.stop();
    expect(members.map((m) => m.stopped)).toEqual([true, true]);
  });

  it("needs at least 2 sinks", () => {
    expect(() => new LoadBalanceSinkGroup("lb", configOf(loadBalanceGroupSpec), sinks("a"))).toThrow("load_balance group `lb` needs at least 2 sinks, got 1");
    expect(() => new LoadBalanceSinkGroup("lb", configOf(loadBalanceGroupSpec), [])).toThrow(/needs at least 2 sinks/);
    expect(loadBalanceGroupSpec.members).toEqual({ role: "sink", min: 2 });
  });

  describe("run by a SinkRunner from a memory channel", () => {
    const runners: SinkRunner[] = [];
    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.drainAndStop(Date.now());
    });

    it("delivers every event exactly once, in order, while sinks fail at random (seed 5)", async () => {
      const prng = createPrng(5);
      const delivered: { sink: string; body: string }[] = [];
      const members = ["a", "b", "c"].map((name) => new FakeSink(name, 6, { delivered, failsWhen: () => prng.chance(0.5) }));
      let t = 0;
      const group = new LoadBalanceSinkGroup("lb", configOf(loadBalanceGroupSpec, { selector: "random", backoff: true }), members, () => (t += 300), prng.next);
      const channel = memoryChannel("c", { capacity: 10_000, transaction_capacity: 50 });
      const runner = new SinkRunner(group, channel, { failureBackoffMs: 1, maxFailureBackoffMs: 2 });
      runners.push(runner);
      await runner.start(silentLogger());
      for (let from = 0; from < 500; from += 50) {
        putCommitted(channel, numberedEvents(50, "e", from));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await waitFor("every event delivered", () => delivered.length >= 500, 8_000);
      expect(delivered.map((d) => d.body)).toEqual(bodies(numberedEvents(500)));
      for (const member of members) expect(member.written.length).toBeGreaterThan(0);
      expect(group.counter.EventWriteFail).toBeGreaterThan(0);
      expect(channel.size()).toBe(0);
    });
  });
});
