import { CompressionTypes, Kafka, type Consumer, type Producer } from "kafkajs";
import type { Channel, PutTransaction, TakeTransaction } from "../../core/channel";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import { createLogger, type Logger } from "../../core/log";
import { Backoff, sleep } from "../../core/backoff";
import { Signal } from "../../core/signal";
import { StagedPutTransaction } from "../../core/staged-put-transaction";
import { kafkaClientConfig } from "../../kafka/client-config";
import { describeKafkaError } from "../../kafka/errors";
import type { ConfigOf } from "../../spec";
import { Inbox } from "./inbox";
import { KafkaChannelCounter } from "./kafka-channel-counter";
import { Outbox } from "./outbox";
import { roundRobinPartitioner } from "./partitioner";
import type { kafkaChannelSpec } from "./spec";
import { KafkaTakeTransaction } from "./transactions";
import { topicNameProblem } from "../../kafka/topic-name";
import { groupIdProblem } from "./validate";

export type KafkaChannelConfig = ConfigOf<typeof kafkaChannelSpec>;

export interface KafkaChannelOptions {
  /** Where the channel logs until `start` gives it the agent's logger. */
  readonly log?: Logger;
}

const RESOLVED = Promise.resolve();
const NEW = 0;
const RUNNING = 1;
const STOPPED = 2;
/** Retries of one request inside kafkajs before the channel's own loops take over. */
const CLIENT_RETRIES = 5;

/**
 * Flume's Kafka channel (docs/kafka-channel.md): the events live in a Kafka topic, so the buffer survives
 * the agent and can be shared by agents on several hosts (one consumer group).
 *
 * Our channel contract is synchronous, Kafka is not, so:
 * - a put commit appends to the outbox (refused with `ChannelFullError` beyond `capacity` unacknowledged
 *   events); one loop produces the outbox with acks from all in-sync replicas, retrying until it succeeds;
 *   `whenDurable()` resolves once everything committed before the call is acknowledged;
 * - a consumer prefetches up to `prefetch` events; `take` returns from that buffer; a take commit commits
 *   the offsets to Kafka (asynchronously, coalesced); a rollback puts the events back at the head.
 *
 * The channel starts even when Kafka is unreachable (puts queue up to `capacity`, takes find nothing)
 * and connects in the background, as the other network components do.
 */
export class KafkaChannel implements Channel {
  readonly counter: KafkaChannelCounter;
  readonly transactionCapacity: number;
  private readonly capacity: number;
  private log: Logger;
  private lifecycle = NEW;
  /** Set when `stop` begins: the consumer's connection retries end. */
  private closing = false;
  private readonly outbox: Outbox;
  private readonly inbox: Inbox;
  private producer: Producer | undefined = undefined;
  private consumer: Consumer | undefined = undefined;
  private consumerStart: Promise<void> | undefined = undefined;
  private kafka: Kafka | undefined = undefined;
  /** Pauses between consumers replacing one kafkajs gave up on; reset once a consumer joins the group. */
  private readonly relaunchBackoff = new Backoff(1_000, 30_000);
  private readonly readable = new Signal();
  private readonly writable = new Signal();
  /** Notified at stop: ends the consumer's connection retries at once. */
  private readonly stopping = new Signal();

  constructor(
    readonly name: string,
    private readonly config: KafkaChannelConfig,
    options: KafkaChannelOptions = {},
  ) {
    this.capacity = config.capacity;
    this.transactionCapacity = Math.min(config.transaction_capacity, config.capacity);
    this.counter = new KafkaChannelCounter(config.capacity);
    this.log = (options.log ?? createLogger("info")).child({ channel: name });
    this.outbox = new Outbox(
      {
        topic: config.topic,
        compression: config.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
        keyHeader: config.key_header,
        maxRequestBytes: config.max_request_bytes,
        requestTimeoutMs: config.request_timeout,
        counter: this.counter,
        onRoom: () => {
          this.counter.ChannelSize = this.size();
          this.writable.notify();
        },
      },
      this.log,
    );
    this.inbox = new Inbox(
      {
        topic: config.topic,
        prefetch: config.prefetch,
        heartbeatIntervalMs: config.heartbeat_interval,
        counter: this.counter,
        onFetched: (wasEmpty) => {
          this.counter.ChannelSize = this.size();
          if (wasEmpty) this.readable.notify();
        },
      },
      this.log,
    );
  }

  /**
   * Creates the clients and connects in the background: only settings a user must fix (a topic name from
   * `env()`, TLS files, SASL without a password) stop the start.
   */
  async start(log?: Logger): Promise<void> {
    if (this.lifecycle !== NEW) return;
    if (log !== undefined) this.log = log.child({ channel: this.name });
    const component = `channel \`${this.name}\``;
    const problem = topicNameProblem(this.config.topic) ?? groupIdProblem(this.config.group_id);
    if (problem !== undefined) throw new UserFacingError(`${component}: ${problem}`, 78);
    if (this.config.heartbeat_interval >= this.config.session_timeout) {
      throw new UserFacingError(`${component}: heartbeat_interval (${this.config.heartbeat_interval} ms) must be shorter than session_timeout (${this.config.session_timeout} ms)`, 78);
    }
    if (this.config.request_timeout < this.config.session_timeout) {
      // A join can wait for a member that died to time out; a shorter request timeout gives up on it again and again.
      this.log.warn("request_timeout is shorter than session_timeout: joining the group may time out while a dead member is expired", {
        request_timeout_ms: this.config.request_timeout,
        session_timeout_ms: this.config.session_timeout,
      });
    }
    this.kafka = new Kafka(kafkaClientConfig(component, this.config, this.log, CLIENT_RETRIES));
    this.producer = this.kafka.producer({ createPartitioner: roundRobinPartitioner, allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 1 });
    this.lifecycle = RUNNING;
    this.outbox.start(this.producer, this.log);
    this.launchConsumer();
    this.counter.StartTime = Date.now();
    this.log.info("kafka channel started", { topic: this.config.topic, group_id: this.config.group_id, brokers: this.config.brokers.join(",") });
  }

  /**
   * Flushes the outbox (up to `request_timeout`), commits the offsets of committed takes and leaves the
   * group. Events prefetched or held by a take that did not commit stay in Kafka for the next consumer.
   */
  async stop(): Promise<void> {
    if (this.lifecycle !== RUNNING) return;
    const deadline = Date.now() + this.config.request_timeout;
    this.inbox.stopFetching();
    this.closing = true;
    this.stopping.notify();
    await this.outbox.close(this.config.request_timeout);
    this.lifecycle = STOPPED;
    await this.inbox.close(deadline);
    await this.disconnect(deadline);
    this.readable.notify();
    this.counter.ChannelSize = this.size();
    this.counter.StopTime = Date.now();
  }

  /**
   * The agent is stopping and the sinks are about to drain: stop fetching and give the prefetched events
   * back (they are not committed: the next consumer of their partitions reads them), then wait for the
   * outbox to reach Kafka, so the drain delivers only the batch a sink holds.
   */
  async beforeDrain(): Promise<void> {
    this.inbox.stopFetching();
    this.counter.ChannelSize = this.size();
    const deadline = Date.now() + this.config.request_timeout;
    while (this.outbox.length > 0 && this.lifecycle === RUNNING && Date.now() < deadline) {
      await Promise.race([this.writable.wait(), sleep(100)]);
    }
  }

  /** Outbox (not yet acknowledged by Kafka) plus prefetched plus taken by open transactions; not the Kafka backlog. */
  size(): number {
    return this.outbox.length + this.inbox.length + this.inbox.held;
  }

  beginPut(): PutTransaction {
    return new StagedPutTransaction(this);
  }

  beginTake(): TakeTransaction {
    const txn = new KafkaTakeTransaction(this);
    this.inbox.openTakes.add(txn);
    return txn;
  }

  whenReadable(): Promise<void> {
    return this.inbox.length > 0 ? RESOLVED : this.readable.wait();
  }

  /** Resolves when Kafka acknowledged puts (room in the outbox) or a take committed. */
  whenWritable(): Promise<void> {
    return this.writable.wait();
  }

  wakeReaders(): void {
    this.readable.notify();
  }

  /** Resolves once Kafka acknowledged every event committed before the call; rejects if one was refused or the channel stopped first. */
  whenDurable(): Promise<void> {
    return this.outbox.whenDurable();
  }

  /** @internal used by StagedPutTransaction */
  ensureRoom(count: number, _bytes: number): void {
    const held = this.outbox.length;
    if (held + count > this.capacity) {
      throw new ChannelFullError(
        this.name,
        `channel \`${this.name}\` is full (${held} of ${this.capacity} events not yet acknowledged by Kafka): Kafka is unreachable or slower than the sources`,
      );
    }
    if (this.lifecycle === STOPPED) throw new ChannelFullError(this.name, `channel \`${this.name}\` is stopped`);
  }

  /** @internal used by StagedPutTransaction */
  commitPut(events: FlowEvent[], bytes: number): void {
    if (events.length === 0) return;
    this.ensureRoom(events.length, bytes);
    this.outbox.append(events);
    this.counter.EventPutSuccessCount += events.length;
    this.counter.ChannelSize = this.size();
  }

  /** @internal used by KafkaTakeTransaction */
  takeInto(txn: KafkaTakeTransaction, max: number): FlowEvent[] {
    const batch: FlowEvent[] = [];
    const n = this.inbox.takeInto(batch, txn, max);
    for (let i = 0; i < n; i++) txn.events.push(batch[i] as FlowEvent);
    // Flume counts one attempt per take() call: one per event, plus the empty take that ends a short batch.
    this.counter.EventTakeAttemptCount += n < max ? n + 1 : n;
    return batch;
  }

  /** @internal used by KafkaTakeTransaction */
  commitTake(txn: KafkaTakeTransaction): void {
    this.inbox.markDone(txn);
    const n = txn.events.length;
    this.counter.EventTakeSuccessCount += n;
    if (n === 0) return;
    this.counter.ChannelSize = this.size();
    this.writable.notify();
  }

  /** @internal used by KafkaTakeTransaction */
  rollbackTake(txn: KafkaTakeTransaction): void {
    this.counter.RollbackCount++;
    this.inbox.putBack(txn.events, txn);
  }

  /**
   * Makes a consumer, hands it to the inbox and starts it. Also after kafkajs gave up on the last one:
   * kafkajs restarts a consumer itself only after errors it deems retriable, and disconnects for good on
   * others (seen with the mock cluster: an unexpected SyncGroup error while members joined at once), which
   * would leave the channel without a consumer until the agent restarts.
   */
  private launchConsumer(): void {
    if (this.kafka === undefined) return;
    const consumer = this.kafka.consumer({
      groupId: this.config.group_id,
      sessionTimeout: this.config.session_timeout,
      heartbeatInterval: this.config.heartbeat_interval,
      rebalanceTimeout: this.config.rebalance_timeout,
      maxWaitTimeInMs: Math.min(1_000, this.config.heartbeat_interval),
      allowAutoTopicCreation: false,
      retry: { retries: CLIENT_RETRIES, initialRetryTime: 100, maxRetryTime: 5_000, restartOnFailure: async () => this.lifecycle === RUNNING },
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.lifecycle !== RUNNING || this.closing || this.consumer !== consumer) return;
      const delay = this.relaunchBackoff.nextDelayMs();
      this.log.warn("kafkajs gave up on the Kafka consumer: starting a new one", { error: describeKafkaError(event.payload.error), retry_in_ms: delay });
      const previous = this.consumerStart ?? RESOLVED;
      this.consumerStart = previous
        .then(() => Promise.race([sleep(delay), this.stopping.wait()]))
        .then(() => {
          if (this.lifecycle === RUNNING && !this.closing && this.consumer === consumer) this.launchConsumer();
          return this.consumerStart;
        });
    });
    consumer.on(consumer.events.GROUP_JOIN, () => this.relaunchBackoff.reset());
    this.consumer = consumer;
    this.inbox.attach(consumer, this.log);
    this.consumerStart = this.startConsumer(consumer);
  }

  /** Connects and subscribes, retrying with backoff while Kafka is unreachable or the topic is missing. */
  private async startConsumer(consumer: Consumer): Promise<void> {
    const backoff = new Backoff(500, 10_000);
    let failures = 0;
    while (this.lifecycle === RUNNING && !this.closing) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [this.config.topic], fromBeginning: this.config.start_from === "earliest" });
        await this.inbox.run();
        if (failures > 0) this.log.info("the Kafka consumer is running", { topic: this.config.topic });
        return;
      } catch (error) {
        const delay = backoff.nextDelayMs();
        const fields = { topic: this.config.topic, group_id: this.config.group_id, retry_in_ms: delay, error: describeKafkaError(error) };
        if (failures++ === 0) this.log.error("cannot start consuming from Kafka (is the topic created?): retrying", fields);
        else this.log.debug("consumer start failed again", fields);
        await Promise.race([sleep(delay), this.stopping.wait()]);
      }
    }
  }

  private async disconnect(deadline: number): Promise<void> {
    const clients: Promise<unknown>[] = [];
    if (this.consumerStart !== undefined) clients.push(this.consumerStart.then(() => this.consumer?.disconnect()));
    if (this.producer !== undefined) clients.push(this.producer.disconnect());
    const all = Promise.allSettled(clients);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, Math.max(100, deadline - Date.now())).unref());
    await Promise.race([all, timer]);
  }
}
