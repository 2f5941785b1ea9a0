import { Signal } from "../../core/signal";

const RESOLVED = Promise.resolve();

/** The promise of one fsync round, made only when someone asks for it (no promise per commit). */
class DurabilityRound {
  readonly promise: Promise<void>;
  resolve: () => void = () => undefined;
  reject: (error: Error) => void = () => undefined;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** What group commit needs from the channel. */
export interface GroupCommitHost {
  /** Writes everything committed but not yet written; false when the disk is failing or the channel stopped. */
  writePending(): boolean;
  /** Starts an fsync of everything written; returns how many files it syncs. `done` runs exactly once. */
  sync(done: (error: NodeJS.ErrnoException | null) => void): number;
  /** A failed fsync (the host refuses puts until the disk recovers). */
  onSyncError(error: Error): void;
  /** Why writes are failing now, if they are. */
  failure(): Error | undefined;
  /** Whether timers may still start fsyncs. */
  running(): boolean;
  /** Whether anything was written or committed since the last fsync began. */
  dirty(): boolean;
}

/**
 * Group commit's bookkeeping: put commits are numbered (generations), an fsync round covers every
 * generation written when it starts, and at most one round is in flight; a round asked for meanwhile
 * starts when it ends and covers everything written by then. `whenDurable()` callers share the promise
 * of the round that will cover them.
 */
export class GroupCommit {
  private putGen = 0;
  private writtenGen = 0;
  private syncedGen = 0;
  private syncingGen = 0;
  private syncing = false;
  private syncWanted = false;
  private syncingRound: DurabilityRound | undefined = undefined;
  private nextRound: DurabilityRound | undefined = undefined;
  private readonly idle = new Signal();
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly host: GroupCommitHost,
    private readonly intervalMs: number,
  ) {}

  /** A put transaction committed. */
  committed(): void {
    this.putGen++;
  }

  /** Every put committed so far was written. */
  allWritten(): void {
    this.writtenGen = this.putGen;
  }

  whenDurable(): Promise<void> {
    if (this.syncedGen === this.putGen) return RESOLVED;
    const failure = this.host.failure();
    if (failure !== undefined) return Promise.reject(failure);
    if (this.syncing && this.syncingGen === this.putGen) return (this.syncingRound ??= new DurabilityRound()).promise;
    return (this.nextRound ??= new DurabilityRound()).promise;
  }

  /** Starts an fsync round for everything written so far, or asks for one after the round under way. */
  startSync(): void {
    if (this.syncing) {
      this.syncWanted = true;
      return;
    }
    if (!this.host.writePending()) {
      this.failRounds(this.host.failure() ?? new Error("the channel is stopped"));
      return;
    }
    this.syncing = true;
    this.syncWanted = false;
    this.syncingGen = this.writtenGen;
    this.syncingRound = this.nextRound;
    this.nextRound = undefined;
    this.host.sync(this.onSyncDone);
  }

  /** A promise for an fsync round that starts after every commit so far was written. */
  syncRound(): Promise<void> {
    const round = (this.nextRound ??= new DurabilityRound());
    this.startSync();
    return round.promise;
  }

  /** Makes sure an fsync happens within the interval (`sync = interval`, and take records in `batch`). */
  armTimer(): void {
    if (this.timer !== undefined || !this.host.running()) return;
    this.timer = setTimeout(this.onTimer, this.intervalMs);
  }

  cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Rejects the promises of puts not yet covered by a round under way (their write failed). */
  failRounds(error: Error): void {
    const round = this.nextRound;
    this.nextRound = undefined;
    round?.reject(error);
  }

  /** Resolves once no fsync is in flight. */
  async whenIdle(): Promise<void> {
    while (this.syncing) await this.idle.wait();
  }

  private readonly onSyncDone = (error: NodeJS.ErrnoException | null): void => {
    this.syncing = false;
    const round = this.syncingRound;
    this.syncingRound = undefined;
    if (error !== null) {
      this.host.onSyncError(error);
      round?.reject(error);
    } else {
      if (this.syncingGen > this.syncedGen) this.syncedGen = this.syncingGen;
      round?.resolve();
    }
    if (this.syncWanted && this.host.running()) this.startSync();
    if (!this.syncing) this.idle.notify();
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.host.running() && (this.host.dirty() || this.nextRound !== undefined)) this.startSync();
  };
}
