import type { Consumer, EachBatchPayload, KafkaMessage } from "kafkajs";
import { Backoff } from "../../core/backoff";
import { FlowEvent, type Headers } from "../../core/event";
import type { Logger } from "../../core/log";
import { RingQueue } from "../../core/ring-queue";
import { Signal } from "../../core/signal";
import { describeKafkaError } from "../../kafka/errors";
import type { KafkaChannelCounter } from "./kafka-channel-counter";
import { within } from "./within";

export interface InboxOptions {
  readonly topic: string;
  readonly prefetch: number;
  readonly heartbeatIntervalMs: number;
  readonly counter: KafkaChannelCounter;
  /** Called when events arrived in the buffer; `wasEmpty` when takers may be waiting for them. */
  readonly onFetched: (wasEmpty: boolean) => void;
}

/** The offsets a take transaction holds: parallel arrays, in take order. */
export interface HeldOffsets {
  readonly partitions: number[];
  readonly offsets: number[];
}

/** What the channel knows about one partition it owns. Offsets are Kafka's "next to read" positions. */
interface PartitionState {
  /** Records below this are buffered, taken or done: a fetch that returns them again is skipped. */
  next: number;
  /** Every record below this was delivered by a committed take: the offset to commit. */
  done: number;
  /** The last offset Kafka confirmed committing for this group. */
  committed: number;
  /** Events delivered by committed takes whose offset Kafka has not confirmed yet. */
  uncommitted: number;
}

/** An offset to commit, with the number of delivered events it confirms. */
interface PendingCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly events: number;
}

const EMPTY_BODY = Buffer.alloc(0);
/** Offset commits that fail are retried after 100 ms, doubling up to this. */
const COMMIT_RETRY_MAX_MS = 5_000;

/**
 * The take side of the Kafka channel: a kafkajs consumer in the channel's group fetches into a buffer,
 * advancing only its fetch position; offsets are committed to Kafka only for events whose take
 * transaction committed, so what a crash interrupts is read again (at-least-once). `prefetch` bounds the
 * events buffered, taken, and delivered but not yet confirmed committed: what a crash can repeat.
 *
 * Offset bookkeeping relies on takes leaving the buffer in partition order: a committed take's highest
 * offset per partition, plus one, is the partition's commit position (capped below any other open take).
 *
 * After every group (re)join kafkajs fetches again from the committed offsets, so the buffer is dropped
 * then and `next` skips what is taken or done but not yet committed: no duplicate from a rebalance that
 * keeps a partition here; the events of a partition that moved are read by its new owner from the
 * committed offset (the batch a sink is delivering from it may be delivered twice).
 */
export class Inbox {
  private events = new RingQueue<FlowEvent>(1024);
  private partitionsOf = new RingQueue<number>(1024);
  private offsetsOf = new RingQueue<number>(1024);
  private partitions = new Map<number, PartitionState>();
  /** Sum of the owned partitions' `uncommitted`: they count against `prefetch` until their commit. */
  private uncommitted = 0;
  readonly openTakes = new Set<HeldOffsets>();
  private readonly room = new Signal();
  /** False once the channel stops taking: fetched batches are left unresolved, for the next owner. */
  private fetching = true;
  private consumer: Consumer | undefined = undefined;
  private committing: Promise<void> | undefined = undefined;
  private commitAgain = false;
  private commitTimer: NodeJS.Timeout | undefined = undefined;
  private readonly commitBackoff = new Backoff(100, COMMIT_RETRY_MAX_MS);
  private log: Logger;

  constructor(
    private readonly options: InboxOptions,
    log: Logger,
  ) {
    this.log = log;
  }

  /** Events fetched and waiting to be taken. */
  get length(): number {
    return this.events.length;
  }

  /** Events held by open take transactions. */
  get held(): number {
    let n = 0;
    for (const take of this.openTakes) n += take.offsets.length;
    return n;
  }

  /** Follows `consumer`'s group membership and fetch times; called once, before the first `run`. */
  attach(consumer: Consumer, log: Logger): void {
    this.log = log;
    this.consumer = consumer;
    const counter = this.options.counter;
    consumer.on(consumer.events.FETCH, (event) => {
      counter.KafkaEventGetTimer += event.payload.duration;
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.onJoin(event.payload.memberAssignment[this.options.topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts it when `restart` is true; otherwise the channel starts a new consumer (see launchConsumer).
      this.log.warn("the Kafka consumer failed", { error: describeKafkaError(event.payload.error), restart: event.payload.restart });
    });
  }

  /** Runs the attached consumer (connected and subscribed by the caller) with the buffering batch handler. */
  async run(): Promise<void> {
    await this.consumer?.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: this.eachBatch });
  }

  /**
   * Moves up to `max` events from the head of the buffer into `into`, recording their partitions and
   * offsets in `held`. Returns how many moved.
   */
  takeInto(into: FlowEvent[], held: HeldOffsets, max: number): number {
    const n = this.events.shiftInto(into, max);
    this.partitionsOf.shiftInto(held.partitions, n);
    this.offsetsOf.shiftInto(held.offsets, n);
    return n;
  }

  /** Puts a rolled-back take's events back at the head, in order, except those of partitions no longer owned. */
  putBack(events: readonly FlowEvent[], held: HeldOffsets): void {
    this.openTakes.delete(held);
    if (events.length === 0 || !this.fetching) return;
    let keptEvents: readonly FlowEvent[] = events;
    let keptPartitions: readonly number[] = held.partitions;
    let keptOffsets: readonly number[] = held.offsets;
    if (held.partitions.some((partition) => !this.partitions.has(partition))) {
      const e: FlowEvent[] = [];
      const p: number[] = [];
      const o: number[] = [];
      for (let i = 0; i < events.length; i++) {
        const partition = held.partitions[i] as number;
        if (!this.partitions.has(partition)) continue;
        e.push(events[i] as FlowEvent);
        p.push(partition);
        o.push(held.offsets[i] as number);
      }
      keptEvents = e;
      keptPartitions = p;
      keptOffsets = o;
    }
    this.events.unshiftAll(keptEvents);
    this.partitionsOf.unshiftAll(keptPartitions);
    this.offsetsOf.unshiftAll(keptOffsets);
    if (keptEvents.length > 0) this.options.onFetched(true);
  }

  /** A take committed: its offsets are done, and committed to Kafka soon (coalesced with later takes). */
  markDone(held: HeldOffsets): void {
    this.openTakes.delete(held);
    const partitions = held.partitions;
    const offsets = held.offsets;
    if (partitions.length === 0) return;
    for (let i = 0; i < partitions.length; i++) {
      const state = this.partitions.get(partitions[i] as number);
      if (state === undefined) continue;
      const next = (offsets[i] as number) + 1;
      if (next > state.done) state.done = next;
      state.uncommitted++;
      this.uncommitted++;
    }
    // Another open take may hold lower offsets of the same partitions (never with one sink runner).
    for (const other of this.openTakes) {
      for (let i = 0; i < other.partitions.length; i++) {
        const state = this.partitions.get(other.partitions[i] as number);
        if (state !== undefined && state.done > (other.offsets[i] as number)) state.done = other.offsets[i] as number;
      }
    }
    this.scheduleCommit();
  }

  /**
   * Stops taking for good: no more fetching (the consumer pauses), and the buffered events, which are
   * not committed, are given back to Kafka for the next owner of their partitions.
   */
  stopFetching(): void {
    if (!this.fetching) return;
    this.fetching = false;
    this.clearBuffer();
    this.room.notify();
    try {
      this.consumer?.pause([{ topic: this.options.topic }]);
    } catch {
      // Not running yet (the cluster was never reached): there is nothing to pause.
    }
  }

  /** Stops fetching and commits what is done, waiting up to `deadline` (epoch ms); the caller disconnects. */
  async close(deadline: number): Promise<void> {
    this.stopFetching();
    clearTimeout(this.commitTimer);
    if (this.committing !== undefined) await within(this.committing, deadline);
    if (this.pendingCommits().length > 0) await within(this.commitNow(), deadline);
    const uncommitted = this.pendingCommits();
    if (uncommitted.length > 0) {
      this.log.warn("offsets of delivered events could not be committed: their events will be delivered again", {
        partitions: uncommitted.map((o) => o.partition).join(","),
      });
    }
  }

  private readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const partition = batch.partition;
    const messages = batch.messages;
    const prefetch = this.options.prefetch;
    let i = 0;
    while (i < messages.length) {
      if (!this.fetching || !isRunning() || isStale()) return;
      const state = this.partitions.get(partition);
      if (state === undefined) return;
      // Events taken, or delivered but not yet committed to Kafka, count too: so the sinks never get more
      // than `prefetch` events ahead of the group's committed offsets, which bounds what a crash repeats.
      const room = prefetch - this.events.length - this.held - this.uncommitted;
      if (room <= 0) {
        // Full: wait for the sinks (or a commit), telling the coordinator we are alive (a rebalance throws
        // here, and kafkajs rejoins; the unresolved records are fetched again).
        await within(this.room.wait(), Date.now() + this.options.heartbeatIntervalMs);
        await heartbeat();
        continue;
      }
      const end = Math.min(messages.length, i + room);
      const events: FlowEvent[] = [];
      const partitions: number[] = [];
      const offsets: number[] = [];
      for (; i < end; i++) {
        const message = messages[i] as KafkaMessage;
        const offset = Number(message.offset);
        if (offset < state.next) continue;
        events.push(toEvent(message));
        partitions.push(partition);
        offsets.push(offset);
        state.next = offset + 1;
      }
      resolveOffset((messages[end - 1] as KafkaMessage).offset);
      if (events.length > 0) {
        const wasEmpty = this.events.length === 0;
        this.events.pushAll(events);
        this.partitionsOf.pushAll(partitions);
        this.offsetsOf.pushAll(offsets);
        this.options.onFetched(wasEmpty);
      }
    }
  };

  /** The group gave this member `assigned`: kafkajs reads them again from their committed offsets. */
  private onJoin(assigned: readonly number[]): void {
    this.clearBuffer();
    const held = new Map<number, number>();
    for (const take of this.openTakes) {
      for (let i = 0; i < take.partitions.length; i++) {
        const partition = take.partitions[i] as number;
        held.set(partition, Math.max(held.get(partition) ?? -1, (take.offsets[i] as number) + 1));
      }
    }
    const next = new Map<number, PartitionState>();
    for (const partition of assigned) {
      const old = this.partitions.get(partition);
      const done = old?.done ?? -1;
      next.set(partition, { next: Math.max(done, held.get(partition) ?? -1), done, committed: old?.committed ?? -1, uncommitted: old?.uncommitted ?? 0 });
    }
    this.uncommitted = 0;
    for (const state of next.values()) this.uncommitted += state.uncommitted;
    const revoked = [...this.partitions.keys()].filter((partition) => !next.has(partition));
    this.partitions = next;
    this.room.notify();
    this.log.info("Kafka partitions assigned", { topic: this.options.topic, partitions: [...assigned].sort((a, b) => a - b).join(",") || "none", revoked: revoked.join(",") || undefined });
    if (this.pendingCommits().length > 0) this.scheduleCommit();
  }

  private clearBuffer(): void {
    if (this.events.length === 0) return;
    this.events = new RingQueue<FlowEvent>(1024);
    this.partitionsOf = new RingQueue<number>(1024);
    this.offsetsOf = new RingQueue<number>(1024);
  }

  private pendingCommits(): PendingCommit[] {
    const offsets: PendingCommit[] = [];
    for (const [partition, state] of this.partitions) {
      if (state.done > state.committed) offsets.push({ topic: this.options.topic, partition, offset: String(state.done), events: state.uncommitted });
    }
    return offsets;
  }

  private scheduleCommit(): void {
    if (this.committing !== undefined) {
      this.commitAgain = true;
      return;
    }
    this.committing = this.commitNow().finally(() => {
      this.committing = undefined;
      if (this.commitAgain) {
        this.commitAgain = false;
        this.scheduleCommit();
      }
    });
  }

  private async commitNow(): Promise<void> {
    const consumer = this.consumer;
    const offsets = this.pendingCommits();
    if (consumer === undefined || offsets.length === 0) return;
    const started = Date.now();
    try {
      await consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      for (const { partition, offset, events } of offsets) {
        const state = this.partitions.get(partition);
        if (state === undefined) continue;
        state.committed = Math.max(state.committed, Number(offset));
        const confirmed = Math.min(events, state.uncommitted);
        state.uncommitted -= confirmed;
        this.uncommitted -= confirmed;
      }
      this.room.notify();
      this.commitBackoff.reset();
    } catch (error) {
      // A rebalance under way, a coordinator moving: tried again (for partitions still owned after it).
      const delay = this.commitBackoff.nextDelayMs();
      this.log.debug("offset commit failed, retrying", { error: describeKafkaError(error), retry_in_ms: delay });
      if (this.fetching) {
        clearTimeout(this.commitTimer);
        this.commitTimer = setTimeout(() => this.scheduleCommit(), delay).unref();
      }
    } finally {
      this.options.counter.KafkaCommitTimer += Date.now() - started;
    }
  }
}

/** A record as an event: value → body, record headers → headers (a repeated header keeps its last value). */
function toEvent(message: KafkaMessage): FlowEvent {
  const headers: Headers = {};
  const raw = message.headers;
  if (raw !== undefined) {
    for (const name in raw) {
      const value = raw[name];
      if (value === undefined) continue;
      const last = Array.isArray(value) ? value[value.length - 1] : value;
      if (last === undefined) continue;
      headers[name] = typeof last === "string" ? last : last.toString();
    }
  }
  return new FlowEvent(headers, message.value ?? EMPTY_BODY);
}
