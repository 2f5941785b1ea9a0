import { type CompressionTypes, Kafka, type Producer, type TopicMessages } from "kafkajs";
import { AgentExit } from "../../agent/exit-codes";
import type { Sink } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { describeKafkaError, isRetriableKafkaError } from "../../kafka/errors";
import { KafkaSinkCounter } from "./kafka-sink-counter";
import { type KafkaSinkConfig, producerSettings } from "./producer-settings";
import { type DroppedRecord, OversizeRecordError, RecordBatcher } from "./record-batch";
import { parseTopicTemplate, type TopicTemplate, TopicTemplateError } from "./topic-template";
import { defaultTopicProblem } from "./validate";

export type { KafkaSinkConfig } from "./producer-settings";

/**
 * Produces events to Kafka with KafkaJS, one transaction at a time: `write` resolves only once every
 * produce request of the batch was acknowledged as `acks` asks, so the sink runner commits the channel
 * transaction only then (at-least-once; a batch retried after a partial failure may be written twice).
 *
 * Failures: KafkaJS retries a request itself (a broker down, a leader moving, a timeout; `retries` times
 * with backoff), then `write` rejects and the runner rolls the batch back and retries it after its own
 * backoff, forever, so a cluster that is down for a while only delays the backlog. Errors that will not
 * pass by themselves (authorisation, a record the broker refuses) are logged at error with their cause
 * on every attempt, since the batch stays in the channel until the cause is fixed.
 *
 * An unreachable cluster at start does not stop the agent: the producer connects in the background and
 * again on each write until it succeeds.
 */
export class KafkaSink implements Sink {
  readonly counter = new KafkaSinkCounter();
  readonly batchSize: number;
  private readonly batcher: RecordBatcher;
  private acks: -1 | 0 | 1 = -1;
  private compression: CompressionTypes | undefined = undefined;
  private producer: Producer | undefined;
  private connected = false;
  /** The connection attempt under way, shared by `write` calls and `stop`. */
  private connecting: Promise<void> | undefined;
  private log: Logger | undefined;
  private stopped = false;
  /** Failed connection attempts in a row: the first is logged at warn, the rest at debug (the runner logs each retry). */
  private connectFailures = 0;
  private readonly dropped: DroppedRecord[] = [];

  constructor(
    readonly name: string,
    private readonly config: KafkaSinkConfig,
  ) {
    this.batchSize = config.batch_size;
    const fail = (message: string): never => {
      throw new UserFacingError(`sink \`${name}\`: ${message}`, AgentExit.config);
    };
    // Values from env() reach the sink unchecked by the compiler: the spec's checks run again here.
    let topic: TopicTemplate;
    try {
      topic = parseTopicTemplate(config.topic);
    } catch (error) {
      if (error instanceof TopicTemplateError) fail(`topic ${JSON.stringify(config.topic)}: ${error.message}`);
      throw error;
    }
    const defaultProblem = defaultTopicProblem(config.default_topic);
    if (defaultProblem !== undefined) fail(`default_topic ${JSON.stringify(config.default_topic)}: ${defaultProblem}`);
    if (config.idempotent && config.acks !== "all") fail("`idempotent = true` needs `acks = \"all\"`");
    this.batcher = new RecordBatcher(
      {
        topic,
        defaultTopic: config.default_topic,
        keyHeader: config.key_header,
        partitionHeader: config.partition_header,
        timestampHeader: config.timestamp_header,
        recordHeaders: config.record_headers,
        maxRequestBytes: config.max_request_bytes,
        onOversize: config.on_oversize,
      },
      this.counter,
    );
  }

  async start(log: Logger): Promise<void> {
    this.log = log;
    // Reads the TLS files now, so a missing one stops the agent at start with the property named.
    const settings = producerSettings(this.name, this.config, this.counter, log);
    this.acks = settings.acks;
    this.compression = settings.compression;
    this.producer = new Kafka(settings.client).producer(settings.producer);
    this.stopped = false;
    this.counter.StartTime = Date.now();
    // Not awaited: an unreachable cluster must not hold up (or fail) the agent's start; write() waits for it.
    this.connect().catch(() => undefined);
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    if (events.length === 0) return;
    const counter = this.counter;
    if (!this.connected) await this.connectForWrite();
    const producer = this.producer as Producer;
    const dropped = this.dropped;
    dropped.length = 0;
    let requests: TopicMessages[][];
    try {
      requests = this.batcher.requests(events, dropped);
    } catch (error) {
      counter.RollbackCount++;
      throw this.failure(error);
    }
    const started = Date.now();
    try {
      for (const topicMessages of requests) await this.send(producer, topicMessages);
    } catch (error) {
      counter.RollbackCount++;
      throw this.failure(error);
    } finally {
      counter.KafkaEventSendTimer += Date.now() - started;
    }
    if (dropped.length > 0) this.countDropped();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const producer = this.producer;
    if (producer === undefined) return;
    await this.connecting?.catch(() => undefined);
    if (this.connected) {
      this.connected = false;
      try {
        await producer.disconnect();
      } catch (error) {
        this.log?.warn("disconnecting from Kafka failed", { error: describeKafkaError(error) });
      }
      this.counter.ConnectionClosedCount++;
    }
    if (this.counter.StartTime !== 0) this.counter.StopTime = Date.now();
  }

  private send(producer: Producer, topicMessages: TopicMessages[]): Promise<unknown> {
    return producer.sendBatch({ topicMessages, acks: this.acks, compression: this.compression, timeout: this.config.request_timeout });
  }

  /** Connects before a write; a failure (logged by `connect`) fails the batch, which nothing was sent of. */
  private async connectForWrite(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.counter.RollbackCount++;
      throw new Error(`kafka: cannot connect: ${describeKafkaError(error)}`, { cause: error });
    }
  }

  /** Connects the producer, or joins the attempt under way. */
  private connect(): Promise<void> {
    if (this.connecting !== undefined) return this.connecting;
    const producer = this.producer;
    if (producer === undefined) return Promise.reject(new Error(`sink \`${this.name}\` is not started`));
    const attempt = producer.connect().then(
      () => {
        this.connecting = undefined;
        this.connected = true;
        this.counter.ConnectionCreatedCount++;
        this.log?.info("connected to Kafka", { brokers: this.config.brokers.join(","), after_failures: this.connectFailures || undefined });
        this.connectFailures = 0;
      },
      (error: unknown) => {
        this.connecting = undefined;
        this.counter.ConnectionFailedCount++;
        const fields = { brokers: this.config.brokers.join(","), error: describeKafkaError(error) };
        if (this.connectFailures++ === 0) this.log?.warn("cannot connect to Kafka; events wait in the channel and the connection is retried", fields);
        else this.log?.debug("cannot connect to Kafka", fields);
        throw error;
      },
    );
    this.connecting = attempt;
    return attempt;
  }

  /**
   * The error `write` rejects with: one line saying what Kafka answered. Failures that retrying will not
   * cure are logged here at error, on every attempt, since the batch stays in the channel and blocks it.
   */
  private failure(error: unknown): Error {
    const reason = error instanceof OversizeRecordError ? error.message : describeKafkaError(error);
    if (error instanceof OversizeRecordError || !isRetriableKafkaError(error)) {
      this.log?.error("Kafka refused the batch; it stays in the channel and is retried until the cause is fixed", { error: reason });
    }
    return new Error(`kafka: ${reason}`, { cause: error });
  }

  private countDropped(): void {
    this.counter.EventDropCount += this.dropped.length;
    for (const record of this.dropped) {
      this.log?.error("dropped a record larger than max_request_bytes (on_oversize = drop)", { topic: record.topic, bytes: record.bytes, max_request_bytes: this.config.max_request_bytes });
    }
    this.dropped.length = 0;
  }
}
