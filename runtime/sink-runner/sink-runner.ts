import type { Channel } from "../core/channel";
import type { Sink } from "../core/component";
import { Backoff, sleep } from "../core/backoff";
import type { Logger } from "../core/log";

export interface SinkRunnerOptions {
  /** First wait after a failed delivery; doubles per consecutive failure. */
  readonly failureBackoffMs: number;
  readonly maxFailureBackoffMs: number;
}

export const DEFAULT_SINK_RUNNER_OPTIONS: SinkRunnerOptions = { failureBackoffMs: 100, maxFailureBackoffMs: 5_000 };

/**
 * Moves batches from one channel into one sink: take in a transaction, deliver, commit on success, roll
 * back and back off on failure. Waits on the channel (no polling) while it is empty.
 */
export class SinkRunner {
  private running = false;
  private draining = false;
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;
  private log: Logger | undefined;

  constructor(
    readonly sink: Sink,
    readonly channel: Channel,
    options: SinkRunnerOptions = DEFAULT_SINK_RUNNER_OPTIONS,
  ) {
    this.backoff = new Backoff(options.failureBackoffMs, options.maxFailureBackoffMs);
  }

  async start(log: Logger): Promise<void> {
    this.log = log.child({ sink: this.sink.name });
    await this.sink.start(this.log);
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Keeps delivering until the channel is empty or `deadline` (epoch ms) passes, then stops the sink.
   * Resolves with the number of events left in the channel.
   */
  async drainAndStop(deadline: number): Promise<number> {
    this.draining = true;
    // An idle runner is parked in whenReadable(); wake it so it sees the drain request.
    this.channel.wakeReaders();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.running = false;
        this.channel.wakeReaders();
        resolve();
      }, Math.max(0, deadline - Date.now()));
    });
    // A delivery that never settles (a hung destination) must not hold the agent past its deadline.
    await Promise.race([this.loop, expired]);
    await Promise.race([this.sink.stop(), expired]);
    clearTimeout(timer);
    // Events of a batch still being delivered are counted: the channel holds them until a commit.
    return this.channel.size();
  }

  private async run(): Promise<void> {
    const { sink, channel } = this;
    const counter = sink.counter;
    const batchSize = Math.min(sink.batchSize, channel.transactionCapacity);
    while (this.running) {
      const txn = channel.beginTake();
      const events = txn.take(batchSize);
      if (events.length === 0) {
        txn.commit();
        counter.BatchEmptyCount++;
        if (this.draining) break;
        await channel.whenReadable();
        continue;
      }
      counter.EventDrainAttemptCount += events.length;
      if (events.length === batchSize) counter.BatchCompleteCount++;
      else counter.BatchUnderflowCount++;
      try {
        await sink.write(events);
        txn.commit();
        counter.EventDrainSuccessCount += events.length;
        this.backoff.reset();
      } catch (error) {
        txn.rollback();
        counter.EventWriteFail += events.length;
        const delay = this.backoff.nextDelayMs();
        this.log?.warn("delivery failed, will retry", { error: String(error), retry_in_ms: delay });
        await sleep(delay);
      }
    }
  }

}
