import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileChannel, FileChannelConfig } from "../../../runtime/channels/file/file-channel";
import type { PutTransaction, TakeTransaction } from "../../../runtime/core/channel";
import { ChannelFullError } from "../../../runtime/core/errors";
import { takeAll } from "../../helpers/channel-io";
import { bodies, numberedEvents } from "../../helpers/events";
import { createPrng, type Prng } from "../../helpers/prng";
import { createTempDir } from "../../helpers/temp-dir";
import { crashCopy, openChannel } from "./harness";

/**
 * Random interleavings of both sides, restarts (stop, then a new channel on the directory) and crashes
 * (a copy of the directory as the process left it, opened by a new channel), against a model: the queue
 * of committed events, the events held by the open take, the events staged by the open put. Every take
 * must return exactly the model's head: FIFO, rolled-back takes first, and after a restart or crash the
 * open take's events first (it was never committed), the open put's nowhere (it was never committed).
 * At the end everything committed was delivered exactly once, in commit order, and nothing else.
 */
let temp: { readonly path: string; remove(): void };
const open = new Set<FileChannel>();

beforeEach(() => {
  temp = createTempDir("flowc-file-property-");
});

afterEach(async () => {
  for (const ch of open) await ch.stop();
  open.clear();
  temp.remove();
});

type Op = "put" | "putCommit" | "putRollback" | "take" | "takeCommit" | "takeRollback" | "checkpoint" | "restart" | "crash";

function pickOp(rng: Prng, putOpen: boolean, takeOpen: boolean): Op {
  const roll = rng.next();
  if (roll < 0.02) return "restart";
  if (roll < 0.04) return "crash";
  if (roll < 0.05) return "checkpoint";
  if (rng.chance(0.5)) {
    if (!putOpen || rng.chance(0.4)) return "put";
    return rng.chance(0.85) ? "putCommit" : "putRollback";
  }
  if (!takeOpen || rng.chance(0.4)) return "take";
  return rng.chance(0.7) ? "takeCommit" : "takeRollback";
}

describe("FileChannel property: no loss, no invention, FIFO with rollbacks first, across restarts and crashes", () => {
  // [seed, capacity, transaction_capacity, cache_size]: tiny, tx above capacity, nothing cached, all cached…
  const CASES: [number, number, number, number][] = [
    [1, 1, 1, 0],
    [7, 3, 5, 200],
    [42, 10, 4, 0],
    [99, 25, 10, 1_000_000],
    [2024, 40, 40, 500],
    [31_337, 16, 3, 0],
    [123_456_789, 64, 20, 2_000],
  ];
  const STEPS = 700;

  it.each(CASES)("seed %i, capacity %i, transaction_capacity %i, cache_size %i", async (seed, capacity, txCapacity, cacheSize) => {
    const rng = createPrng(seed);
    const values: Partial<FileChannelConfig> = { capacity, transaction_capacity: txCapacity, max_segment_size: 4_096, cache_size: cacheSize };
    const effectiveTx = Math.min(txCapacity, capacity);
    let dirs = 0;
    let dir = join(temp.path, `d${dirs}`);
    let ch = await openChannel(dir, values);
    open.add(ch);

    let nextId = 0;
    const queue: string[] = [];
    const committedOrder: string[] = [];
    const delivered: string[] = [];
    let put: PutTransaction | undefined;
    let staged: string[] = [];
    let take: TakeTransaction | undefined;
    let held: string[] = [];
    const stats = { commits: 0, full: 0, takeRollbacks: 0, restarts: 0, crashes: 0 };
    const where = (step: number): string => `seed ${seed}, step ${step}`;

    /** The model's side of a restart or crash: the open put vanishes, the open take's events come back first. */
    const forgetOpenTransactions = (): void => {
      put = undefined;
      staged = [];
      queue.unshift(...held);
      take = undefined;
      held = [];
    };

    for (let step = 0; step < STEPS; step++) {
      const op = pickOp(rng, put !== undefined, take !== undefined);
      switch (op) {
        case "put": {
          put ??= ch.beginPut();
          const n = rng.int(1, Math.max(1, effectiveTx - staged.length));
          if (staged.length + n > effectiveTx) break;
          const events = numberedEvents(n, "e", nextId);
          nextId += n;
          put.put(events);
          staged.push(...bodies(events));
          break;
        }
        case "putCommit": {
          if (put === undefined) break;
          const full = queue.length + held.length + staged.length > capacity;
          try {
            put.commit();
            expect(full, where(step)).toBe(false);
            queue.push(...staged);
            committedOrder.push(...staged);
            stats.commits++;
          } catch (error) {
            expect(error, where(step)).toBeInstanceOf(ChannelFullError);
            expect(full, where(step)).toBe(true);
            put.rollback();
            stats.full++;
          }
          put = undefined;
          staged = [];
          break;
        }
        case "putRollback":
          put?.rollback();
          put = undefined;
          staged = [];
          break;
        case "take": {
          take ??= ch.beginTake();
          const max = rng.int(0, effectiveTx + 2);
          const expected = queue.splice(0, Math.min(max, effectiveTx - held.length));
          expect(bodies(take.take(max)), where(step)).toEqual(expected);
          held.push(...expected);
          break;
        }
        case "takeCommit":
          take?.commit();
          delivered.push(...held);
          take = undefined;
          held = [];
          break;
        case "takeRollback":
          take?.rollback();
          if (held.length > 0) stats.takeRollbacks++;
          queue.unshift(...held);
          take = undefined;
          held = [];
          break;
        case "checkpoint":
          await ch.checkpoint();
          break;
        case "restart":
          await ch.stop();
          open.delete(ch);
          forgetOpenTransactions();
          ch = await openChannel(dir, values);
          open.add(ch);
          stats.restarts++;
          break;
        case "crash": {
          // Once the tick's group was written (with or without its fsync), a kill loses no committed put.
          if (rng.chance(0.5)) await ch.whenDurable();
          else await new Promise<void>((resolve) => setImmediate(resolve));
          const crashed = join(temp.path, `d${++dirs}`);
          crashCopy(dir, crashed);
          await ch.stop();
          open.delete(ch);
          dir = crashed;
          forgetOpenTransactions();
          ch = await openChannel(dir, values);
          open.add(ch);
          stats.crashes++;
          break;
        }
      }
      expect(ch.size(), where(step)).toBe(queue.length + held.length);
    }

    put?.rollback();
    take?.rollback();
    queue.unshift(...held);
    const rest = bodies(takeAll(ch));
    expect(rest).toEqual(queue);
    delivered.push(...rest);
    expect(ch.size()).toBe(0);

    // Nothing lost or invented, each exactly once, in commit order.
    expect(delivered).toEqual(committedOrder);
    expect(new Set(delivered).size).toBe(delivered.length);

    // The run exercised what it claims to.
    expect(stats.commits).toBeGreaterThan(25);
    expect(stats.full).toBeGreaterThan(0);
    expect(stats.takeRollbacks).toBeGreaterThan(5);
    expect(stats.restarts + stats.crashes).toBeGreaterThan(10);
    expect(stats.crashes).toBeGreaterThan(2);
  });
});
