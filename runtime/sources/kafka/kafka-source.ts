import { Kafka, type Consumer, type EachBatchPayload, type KafkaConfig } from "kafkajs";
import type { ChannelProcessor, Source } from "../../core/component";
import { Backoff } from "../../core/backoff";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { Logger } from "../../core/log";
import { kafkaClientConfig } from "../../kafka/client-config";
import { describeKafkaError, isRetriableKafkaError } from "../../kafka/errors";
import type { ConfigOf } from "../../spec";
import { KafkaSourceCounter } from "./kafka-source-counter";
import { recordsToEvents, type RecordHeaderNames } from "./record-events";
import type { kafkaSourceSpec } from "./spec";
import { matchTopics, subscriptionOf, type Subscription } from "./subscription";

export type KafkaSourceConfig = ConfigOf<typeof kafkaSourceSpec>;

/** How long a partition whose events the channels could not take (for another reason than full) waits. */
const FAILED_PUT_PAUSE_MS = 1_000;

/**
 * Flume's Kafka source on kafkajs: a consumer-group member that puts the records it fetches into its
 * channels and commits their offsets only once the channels committed them and made them durable, so
 * a crash, a stop or a rebalance can repeat records but never lose one (at least once). A full channel
 * pauses the partition (the member keeps heartbeating, so the group does not evict it) until the
 * channel has room; the records it refused stay in Kafka and are fetched again. See docs/kafka-source.md.
 */
export class KafkaSource implements Source {
  readonly counter = new KafkaSourceCounter();
  /** Partitions assigned to this member at its last group join (0 before it joined). */
  assignedPartitions = 0;
  private readonly names: RecordHeaderNames;
  private readonly backoff = new Backoff(1_000, 30_000);
  private log: Logger | undefined;
  private kafka: Kafka | undefined;
  private clientConfig: KafkaConfig | undefined;
  private consumer: Consumer | undefined;
  private subscription: Subscription | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** The connect-subscribe-run sequence in progress (at most one at a time). */
  private launching: Promise<void> | undefined;
  /** Ends a backoff wait early (at stop). */
  private wake: (() => void) | undefined;
  /** Settles start(): true once subscribed, false when stopped first. */
  private subscribed: ((ok: boolean) => void) | undefined;
  /** Records handed to eachBatch so far, and its value when each broker's last fetch returned (KafkaEmptyCount). */
  private recordsSeen = 0;
  private readonly seenAtFetch = new Map<number, number>();

  constructor(
    readonly name: string,
    private readonly config: KafkaSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    this.names = {
      topic: config.topic_header,
      partition: config.partition_header,
      offset: config.offset_header,
      key: config.key_header,
      timestamp: config.timestamp_header,
    };
  }

  /**
   * Checks the settings, then connects and subscribes in the background. Resolves once subscribed, or
   * after `connect_timeout` with a warning when the brokers cannot be reached yet: the source keeps
   * trying (with backoff, logging each failure) rather than stopping the agent, as a restarted broker
   * is no reason to lose an agent. It does not wait for the first group join, which takes a few seconds.
   */
  async start(log: Logger): Promise<string> {
    const who = `source \`${this.name}\``;
    this.log = log.child({ source: this.name });
    const config = this.config;
    this.subscription = subscriptionOf(who, config.topics, config.topics_pattern);
    if (config.heartbeat_interval >= config.session_timeout) {
      throw new UserFacingError(`${who}: heartbeat_interval (${config.heartbeat_interval} ms) must be shorter than session_timeout (${config.session_timeout} ms); a third of it is usual`, 78);
    }
    if (config.group_id.trim() === "") throw new UserFacingError(`${who}: group_id is empty`, 78);
    this.clientConfig = kafkaClientConfig(who, config, this.log);
    this.kafka = new Kafka(this.clientConfig);
    this.counter.StartTime = Date.now();
    const subscribed = new Promise<boolean>((resolve) => (this.subscribed = resolve));
    this.launching = this.launch();
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([subscribed, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), config.connect_timeout)))]);
    clearTimeout(timer);
    if (!ready && !this.stopping) this.log.warn("cannot subscribe yet: the brokers are unreachable or the topics missing; retrying in the background", { brokers: config.brokers.join(",") });
    return `kafka://${config.brokers.join(",")} ${this.subscription.describe} group ${config.group_id}`;
  }

  /**
   * Stops fetching: the batch being put finishes (its offsets committed), the member leaves its group (its
   * partitions go to the others at once), the connections close.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    this.subscribed?.(false);
    const consumer = this.consumer;
    if (consumer !== undefined) {
      try {
        await consumer.disconnect();
      } catch (error) {
        this.log?.warn("the consumer did not disconnect cleanly", { error: describeKafkaError(error) });
      }
    }
    // A consumer still connecting or joining when stop() came is disconnected by launch() once that step
    // ends; wait for it, but not for longer than a connection attempt may take.
    if (this.launching !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.connect_timeout)));
      await Promise.race([this.launching, bound]);
      clearTimeout(timer);
    }
    if (this.counter.StartTime !== 0) this.counter.StopTime = Date.now();
  }

  /** Makes a consumer, connects, subscribes and runs it; on failure, tries again after a backoff. */
  private async launch(): Promise<void> {
    const kafka = this.kafka as Kafka;
    const retry = this.clientConfig?.retry;
    const subscription = this.subscription as Subscription;
    const config = this.config;
    while (!this.stopping) {
      const consumer = kafka.consumer({
        groupId: config.group_id,
        sessionTimeout: config.session_timeout,
        heartbeatInterval: config.heartbeat_interval,
        rebalanceTimeout: config.rebalance_timeout,
        maxWaitTimeInMs: config.batch_duration,
        maxBytesPerPartition: config.max_fetch_size,
        allowAutoTopicCreation: false,
        // After a failure kafkajs gives up on (a broker gone for longer than its retries), start over:
        // the committed offsets make that safe, and an agent should outlive a Kafka outage.
        retry: { ...retry, restartOnFailure: () => Promise.resolve(true) },
      });
      this.consumer = consumer;
      this.watch(consumer);
      try {
        await consumer.connect();
        const topics = await matchTopics(kafka, subscription);
        if (this.stopping) break;
        await consumer.subscribe({ topics, fromBeginning: config.start_from === "earliest" });
        if (this.stopping) break;
        this.log?.info("subscribed", { topics: topics.join(","), group: config.group_id });
        this.subscribed?.(true);
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.eachBatch(payload) });
        if (this.stopping) break;
        return;
      } catch (error) {
        if (this.stopping) break;
        const delay = this.backoff.nextDelayMs();
        // What a retry may fix (a broker down, a topic being created) is a warning; what it cannot (a
        // password, an ACL, a pattern matching nothing) is an error, logged at every attempt.
        const fields = { error: describeKafkaError(error), retry_in_ms: delay };
        if (isRetriableKafkaError(error)) this.log?.warn("cannot consume; trying again", fields);
        else this.log?.error("cannot consume; trying again", fields);
        await consumer.disconnect().catch(() => undefined);
        await this.pauseFor(delay);
      }
    }
    // Stopped while connecting: this consumer may have been made after stop() disconnected the last one.
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Follows a consumer's group membership, fetch times and failures. */
  private watch(consumer: Consumer): void {
    const counter = this.counter;
    const { GROUP_JOIN, FETCH_START, FETCH, CRASH, REBALANCING } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.backoff.reset();
      const assignment = Object.entries(payload.memberAssignment);
      this.assignedPartitions = assignment.reduce((sum, [, partitions]) => sum + partitions.length, 0);
      const partitions = assignment.map(([topic, list]) => `${topic}[${list.join(",")}]`).join(" ");
      this.log?.info("joined the consumer group", { group: payload.groupId, partitions: partitions === "" ? "none" : partitions });
    });
    consumer.on(REBALANCING, ({ payload }) => this.log?.info("the consumer group is rebalancing", { group: payload.groupId }));
    // A fetcher processes what one fetch brought before it fetches again: if nothing was handed to
    // eachBatch between a fetch's end and the next start, that fetch was empty.
    consumer.on(FETCH_START, ({ payload }) => {
      const seen = this.seenAtFetch.get(payload.nodeId);
      if (seen !== undefined && seen === this.recordsSeen) counter.KafkaEmptyCount++;
    });
    consumer.on(FETCH, ({ payload }) => {
      counter.KafkaEventGetTimer += payload.duration;
      this.seenAtFetch.set(payload.nodeId, this.recordsSeen);
    });
    consumer.on(CRASH, ({ payload }) => {
      if (this.stopping) {
        // kafkajs may have scheduled a restart; disconnecting cancels it.
        void consumer.disconnect().catch(() => undefined);
        return;
      }
      if (payload.restart) {
        this.log?.warn("the consumer failed; restarting it", { error: describeKafkaError(payload.error) });
        return;
      }
      const delay = this.backoff.nextDelayMs();
      this.log?.error("the consumer failed; starting a new one", { error: describeKafkaError(payload.error), retry_in_ms: delay });
      void this.pauseFor(delay).then(() => {
        if (!this.stopping && this.consumer === consumer) this.launching = this.launch();
      });
    });
  }

  /**
   * Puts the records of one partition's fetch into the channels in chunks of `batch_size`, committing the
   * offset after each chunk once the channels made it durable. A refused chunk ends the batch: the
   * partition is paused until the channels have room, and the refused records (never resolved) are
   * fetched again when it resumes.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const records = batch.messages;
    const total = records.length;
    const counter = this.counter;
    const size = this.config.batch_size;
    this.recordsSeen += total;
    let put = 0;
    // Not after stop(): a consumer that finished joining after it was told to disconnect may still fetch
    // once; what it fetched is left unresolved and uncommitted, for the group to read again.
    while (put < total && !this.stopping && payload.isRunning() && !payload.isStale()) {
      const count = Math.min(size, total - put);
      const events = recordsToEvents(records, put, count, batch.topic, batch.partition, this.names);
      try {
        this.processor.process(events);
      } catch (error) {
        let retry: Promise<void>;
        if (error instanceof ChannelFullError) {
          counter.ChannelWriteFail++;
          // Asked at once: a channel drained before the question was asked would not signal again.
          retry = this.processor.whenWritable();
        } else {
          counter.GenericProcessingFail++;
          this.log?.error("records could not be put into the channels; they are fetched again", { topic: batch.topic, partition: batch.partition, error: String(error) });
          retry = delay(FAILED_PUT_PAUSE_MS);
        }
        this.pausePartition(payload, retry);
        break;
      }
      // Received counts records taken out of Kafka: a refused chunk stays there and is counted when read again.
      counter.EventReceivedCount += count;
      counter.EventAcceptedCount += count;
      put += count;
      // Each chunk is committed before the next is put, so what a crash or a rebalance repeats is one
      // chunk (`batch_size`), not the whole fetch (up to `max_fetch_size` of records).
      if (!(await this.commit(payload, (records[put - 1] as (typeof records)[number]).offset))) {
        this.pausePartition(payload, delay(FAILED_PUT_PAUSE_MS));
        break;
      }
    }
  }

  /**
   * Commits the partition's offset past `lastOffset` once everything put is durable. False when the
   * channels could not make it durable: the offset is then not even resolved, so those records are read
   * again (duplicates, never a loss). A failed commit is only logged: the offset stays resolved and goes
   * with the next commit; if a rebalance comes first, the partition's new owner reads the records again.
   */
  private async commit(payload: EachBatchPayload, lastOffset: string): Promise<boolean> {
    try {
      await this.processor.whenDurable();
    } catch (error) {
      this.counter.GenericProcessingFail++;
      this.log?.warn("the channels could not make records durable; their offsets are not committed and they are fetched again", { error: String(error) });
      return false;
    }
    payload.resolveOffset(lastOffset);
    const started = Date.now();
    try {
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    } catch (error) {
      if (isMembershipLost(error)) {
        // Thrown on, so kafkajs rejoins now rather than at its next heartbeat: fetching on meanwhile
        // would put more records whose commits fail too, and all of them would be read again.
        this.log?.info("offsets not committed: the group is rebalancing; rejoining", { topic: payload.batch.topic, partition: payload.batch.partition });
        throw error;
      }
      this.log?.warn("offsets not committed; they go with the next commit", { topic: payload.batch.topic, partition: payload.batch.partition, error: describeKafkaError(error) });
    } finally {
      this.counter.KafkaCommitTimer += Date.now() - started;
    }
    return true;
  }

  /**
   * Stops fetching the batch's partition until `retry` settles (the channels have room, or a short wait
   * after a failure). kafkajs keeps heartbeating while partitions are paused, so the member stays in its
   * group however long the channels stay full.
   */
  private pausePartition(payload: EachBatchPayload, retry: Promise<void>): void {
    const resume = payload.pause();
    this.log?.debug("partition paused", { topic: payload.batch.topic, partition: payload.batch.partition });
    retry.then(resume, resume);
  }

  /** Waits `ms`, or less when the source stops meanwhile. */
  private pauseFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** A wait that does not keep the process alive (an agent stopping need not wait for a paused partition). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A commit refused because this member's generation is over (the group is rebalancing, or evicted it):
 * its records are the new owner's to read again, and the member must rejoin.
 */
function isMembershipLost(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === "REBALANCE_IN_PROGRESS" || type === "ILLEGAL_GENERATION" || type === "UNKNOWN_MEMBER_ID" || type === "NOT_COORDINATOR_FOR_GROUP";
}
