import type { Sink } from "../core/component";
import type { FlowEvent } from "../core/event";
import type { Logger } from "../core/log";

/** Base of the exponential cool-downs, as in Flume: 2^n × 1 s after the n-th consecutive failure. */
const PENALTY_UNIT_MS = 1_000;
/** Keeps 2^n finite and exact; any realistic cap is reached long before. */
const MAX_PENALTY_EXPONENT = 30;

/** `min(maxMs, 2^failures × 1 s)`: 2 s after a first failure, then 4 s, 8 s, … up to `maxMs`. */
export function coolDownMs(failures: number, maxMs: number): number {
  return Math.min(maxMs, PENALTY_UNIT_MS * 2 ** Math.min(failures, MAX_PENALTY_EXPONENT));
}

/**
 * One sink of a group and the group's view of its health. Delivering through it updates the sink's own
 * counter the way the sink runner updates a sink it runs directly (the runner counts the group's).
 */
export class GroupMember {
  /** Consecutive failed writes; 0 while the sink works. */
  failures = 0;
  /** Epoch ms before which the group does not try the sink again (after a failure). */
  retryAt = 0;
  /** What the last failed write threw. */
  lastError: unknown = undefined;

  constructor(readonly sink: Sink) {}

  /** Writes the batch; resolves true when the sink took it, false (recording the error) when it threw. */
  async write(events: readonly FlowEvent[]): Promise<boolean> {
    const { sink } = this;
    const counter = sink.counter;
    const count = events.length;
    counter.EventDrainAttemptCount += count;
    if (count >= sink.batchSize) counter.BatchCompleteCount++;
    else counter.BatchUnderflowCount++;
    try {
      await sink.write(events);
    } catch (error) {
      counter.EventWriteFail += count;
      this.failures++;
      this.lastError = error;
      return false;
    }
    counter.EventDrainSuccessCount += count;
    this.failures = 0;
    this.retryAt = 0;
    return true;
  }
}

/** A group takes batches no larger than its smallest member can. */
export function smallestBatchSize(members: readonly Sink[]): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (const member of members) smallest = Math.min(smallest, member.batchSize);
  return smallest;
}

/**
 * Starts the members in order, each with a logger naming it and the group. If one fails to start, those
 * already started are stopped again and the error is rethrown.
 */
export async function startMembers(group: string, members: readonly GroupMember[], log: Logger): Promise<void> {
  const started: Sink[] = [];
  try {
    for (const member of members) {
      await member.sink.start(log.child({ sink: member.sink.name, group }));
      started.push(member.sink);
    }
  } catch (error) {
    await Promise.allSettled(started.map((sink) => sink.stop()));
    throw error;
  }
}

/** Stops every member, even when some fail to stop; then rethrows the first failure. */
export async function stopMembers(members: readonly GroupMember[]): Promise<void> {
  const results = await Promise.allSettled(members.map((member) => member.sink.stop()));
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
