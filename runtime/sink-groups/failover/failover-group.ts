import type { Sink } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { coolDownMs, describeError, GroupMember, smallestBatchSize, startMembers, stopMembers } from "../group-member";
import type { failoverGroupSpec } from "./spec";

export type FailoverSinkGroupConfig = ConfigOf<typeof failoverGroupSpec>;

/**
 * Flume's failover sink processor as a `Sink`, so one sink runner runs the group. Each batch goes to the
 * highest-priority member that is working or whose cool-down is over; a member that throws gets a
 * cool-down of `min(max_penalty, 2^failures × 1 s)` and the next member gets the same batch.
 *
 * Unlike Flume, a member whose cool-down ended is not sent a batch ahead of working members of higher
 * priority: it is tried in its place in the priority order, so traffic never goes to a lower-priority
 * sink while a higher one works.
 *
 * Like every sink, it is given one batch at a time (the sink runner awaits each `write`).
 */
export class FailoverSinkGroup implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize: number;
  /** The members, in the order of the group's `sinks` list (for metrics: each has its own counter). */
  readonly sinks: readonly Sink[];
  /** In priority order, highest first. */
  private readonly members: readonly GroupMember[];
  private readonly maxPenaltyMs: number;
  private log: Logger | undefined;

  constructor(
    readonly name: string,
    config: FailoverSinkGroupConfig,
    members: readonly Sink[],
    private readonly now: () => number = Date.now,
  ) {
    if (members.length === 0) throw new Error(`failover group \`${name}\` has no sinks`);
    this.sinks = members.slice();
    this.members = members.map((sink) => new GroupMember(sink));
    this.batchSize = smallestBatchSize(members);
    this.maxPenaltyMs = config.max_penalty;
  }

  async start(log: Logger): Promise<void> {
    this.log = log;
    await startMembers(this.name, this.members, log);
    this.counter.StartTime = Date.now();
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    if (events.length === 0) return;
    const members = this.members;
    const now = this.now();
    for (let i = 0; i < members.length; i++) {
      const member = members[i] as GroupMember;
      const failures = member.failures;
      if (failures > 0 && member.retryAt > now) continue;
      if (await member.write(events)) {
        if (failures > 0) this.log?.info("sink recovered", { member: member.sink.name, failures });
        return;
      }
      const penalty = coolDownMs(member.failures, this.maxPenaltyMs);
      member.retryAt = this.now() + penalty;
      this.log?.warn(i + 1 < members.length ? "sink failed, failing over" : "sink failed", {
        member: member.sink.name,
        error: describeError(member.lastError),
        failures: member.failures,
        retry_in_ms: penalty,
      });
    }
    throw this.allFailed();
  }

  async stop(): Promise<void> {
    await stopMembers(this.members);
    this.counter.StopTime = Date.now();
  }

  private allFailed(): Error {
    let next = this.members[0] as GroupMember;
    for (const member of this.members) if (member.retryAt < next.retryAt) next = member;
    const wait = Math.max(0, next.retryAt - this.now());
    return new Error(`all sinks of group \`${this.name}\` failed; retrying \`${next.sink.name}\` in ${wait} ms`, { cause: next.lastError });
  }
}
