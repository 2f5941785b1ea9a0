import type { Sink } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { coolDownMs, describeError, GroupMember, smallestBatchSize, startMembers, stopMembers } from "../group-member";
import type { loadBalanceGroupSpec } from "./spec";

export type LoadBalanceSinkGroupConfig = ConfigOf<typeof loadBalanceGroupSpec>;

/** Flume caps the exponent of the backoff at 16 (2^16 s ≈ 18 h). */
const MAX_BACKOFF_EXPONENT = 16;

/**
 * Flume's load-balancing sink processor as a `Sink`, so one sink runner runs the group. Each batch is
 * offered to the members in the selector's order until one takes it.
 *
 * `round_robin` starts each batch at the member after the one that took the previous batch, skipping
 * members that are backed off, so the members that work share the batches evenly (Flume starts one
 * further each time, so without backoff the member after a dead one gets two turns out of three). With
 * `backoff`, a member that throws is left out until `now + min(max_backoff, 2^n × 1 s)` (n its consecutive
 * failures); unlike Flume, a success resets n (Flume resets it only an hour after the last backoff ended).
 *
 * Like every sink, it is given one batch at a time (the sink runner awaits each `write`).
 */
export class LoadBalanceSinkGroup implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize: number;
  /** The members, in the order of the group's `sinks` list (for metrics: each has its own counter). */
  readonly sinks: readonly Sink[];
  private readonly members: readonly GroupMember[];
  private readonly random: boolean;
  private readonly backoff: boolean;
  private readonly maxBackoffMs: number;
  /** Member indexes in the order this batch tries them; reused. */
  private readonly order: number[];
  /** Where the next round-robin turn starts looking: after the member that took the last batch. */
  private cursor = 0;
  private log: Logger | undefined;

  constructor(
    readonly name: string,
    config: LoadBalanceSinkGroupConfig,
    members: readonly Sink[],
    private readonly now: () => number = Date.now,
    /** A float in [0, 1), like `Math.random`; tests pass a seeded generator. */
    private readonly randomFloat: () => number = Math.random,
  ) {
    if (members.length < 2) throw new Error(`load_balance group \`${name}\` needs at least 2 sinks, got ${members.length}`);
    this.sinks = members.slice();
    this.members = members.map((sink) => new GroupMember(sink));
    this.batchSize = smallestBatchSize(members);
    this.random = config.selector === "random";
    this.backoff = config.backoff;
    this.maxBackoffMs = config.max_backoff;
    this.order = new Array<number>(members.length).fill(0);
  }

  async start(log: Logger): Promise<void> {
    this.log = log;
    await startMembers(this.name, this.members, log);
    this.counter.StartTime = Date.now();
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    if (events.length === 0) return;
    const count = this.random ? this.shuffle(this.now()) : this.rotate(this.now());
    const { members, order } = this;
    for (let j = 0; j < count; j++) {
      const index = order[j] as number;
      const member = members[index] as GroupMember;
      if (await member.write(events)) {
        this.cursor = (index + 1) % members.length;
        return;
      }
      this.failed(member);
    }
    if (count > 0) this.cursor = ((order[0] as number) + 1) % members.length;
    throw this.allFailed(count);
  }

  async stop(): Promise<void> {
    await stopMembers(this.members);
    this.counter.StopTime = Date.now();
  }

  /** Whether the member may be tried at `now`. */
  private available(member: GroupMember, now: number): boolean {
    return !this.backoff || member.retryAt <= now;
  }

  /** Fills `order` with the available members, starting at the first one at or after the cursor; returns how many. */
  private rotate(now: number): number {
    const { members, order } = this;
    const size = members.length;
    let count = 0;
    for (let step = 0; step < size; step++) {
      const index = (this.cursor + step) % size;
      if (this.available(members[index] as GroupMember, now)) order[count++] = index;
    }
    return count;
  }

  /** Fills `order` with the available members in random order (Fisher–Yates); returns how many. */
  private shuffle(now: number): number {
    const { members, order } = this;
    let count = 0;
    for (let index = 0; index < members.length; index++) {
      if (this.available(members[index] as GroupMember, now)) order[count++] = index;
    }
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(this.randomFloat() * (i + 1));
      const swap = order[i] as number;
      order[i] = order[j] as number;
      order[j] = swap;
    }
    return count;
  }

  private failed(member: GroupMember): void {
    const fields = { member: member.sink.name, error: describeError(member.lastError), failures: member.failures, backoff_ms: 0 };
    if (this.backoff) {
      fields.backoff_ms = coolDownMs(Math.min(member.failures, MAX_BACKOFF_EXPONENT), this.maxBackoffMs);
      member.retryAt = this.now() + fields.backoff_ms;
      this.log?.warn("sink failed, trying another", fields);
    } else if (member.failures === 1) {
      this.log?.warn("sink failed, trying another", fields);
    } else {
      // Without backoff a dead sink is tried for every batch it is offered: warn once per run of failures.
      this.log?.debug("sink failed again, trying another", fields);
    }
  }

  private allFailed(tried: number): Error {
    if (tried === 0) {
      let next = this.members[0] as GroupMember;
      for (const member of this.members) if (member.retryAt < next.retryAt) next = member;
      const wait = Math.max(0, next.retryAt - this.now());
      return new Error(`all sinks of group \`${this.name}\` failed and are backed off; retrying \`${next.sink.name}\` in ${wait} ms`, {
        cause: next.lastError,
      });
    }
    const last = this.members[this.order[tried - 1] as number] as GroupMember;
    return new Error(`all sinks of group \`${this.name}\` failed; the last error (\`${last.sink.name}\`): ${describeError(last.lastError)}`, {
      cause: last.lastError,
    });
  }
}
