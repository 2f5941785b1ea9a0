import type { Channel } from "../../runtime/core/channel";
import type { FlowEvent } from "../../runtime/core/event";

/** Puts `events` into `channel` in one committed transaction (rolled back and rethrown on failure). */
export function putCommitted(channel: Channel, events: readonly FlowEvent[]): void {
  const txn = channel.beginPut();
  try {
    txn.put(events);
    txn.commit();
  } catch (error) {
    txn.rollback();
    throw error;
  }
}

/** Takes up to `max` events from `channel` in one committed transaction. */
export function takeCommitted(channel: Channel, max: number = channel.transactionCapacity): readonly FlowEvent[] {
  const txn = channel.beginTake();
  const events = txn.take(max);
  txn.commit();
  return events;
}

/** Takes everything `channel` holds right now, in committed transactions. */
export function takeAll(channel: Channel): FlowEvent[] {
  const all: FlowEvent[] = [];
  for (;;) {
    const batch = takeCommitted(channel);
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/**
 * A slow consumer: takes at most `maxPerTake` events per committed transaction, yielding to the event
 * loop between takes, until `count` events arrived or `timeoutMs` passed. Returns what arrived (check it
 * with `toEqual` so a shortfall shows as a diff) and never waits past the deadline.
 */
export async function consume(channel: Channel, options: { count: number; timeoutMs: number; maxPerTake?: number }): Promise<FlowEvent[]> {
  const maxPerTake = options.maxPerTake ?? channel.transactionCapacity;
  const deadline = Date.now() + options.timeoutMs;
  const out: FlowEvent[] = [];
  while (out.length < options.count && Date.now() < deadline) {
    const batch = takeCommitted(channel, Math.min(maxPerTake, options.count - out.length));
    out.push(...batch);
    if (batch.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    // Empty: wait for a put, but re-check the deadline at least every few milliseconds.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      channel.whenReadable(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, Math.min(5, deadline - Date.now())));
      }),
    ]);
    clearTimeout(timer);
  }
  return out;
}
