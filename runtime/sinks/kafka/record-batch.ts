import type { Message, TopicMessages } from "kafkajs";
import type { FlowEvent, Headers } from "../../core/event";
import type { KafkaSinkCounter } from "./kafka-sink-counter";
import { renderTopic, type TopicTemplate } from "./topic-template";

/** What of an event goes where in its record (the sink's resolved settings). */
export interface RecordSettings {
  readonly topic: TopicTemplate;
  readonly defaultTopic: string;
  readonly keyHeader: string | undefined;
  readonly partitionHeader: string | undefined;
  readonly timestampHeader: string | undefined;
  readonly recordHeaders: boolean;
  readonly maxRequestBytes: number;
  readonly onOversize: "drop" | "fail";
}

/** A record too large for any request, with `on_oversize = fail`: the batch fails, and keeps failing. */
export class OversizeRecordError extends Error {}

/** A record larger than `max_request_bytes` that `on_oversize = drop` discarded. */
export interface DroppedRecord {
  readonly topic: string;
  readonly bytes: number;
}

/**
 * Record framing the size estimate adds: per record, attributes, offsets, lengths and the varints around
 * key and value (at most about 21 bytes); per header, its two length varints.
 */
const RECORD_OVERHEAD = 24;
const HEADER_OVERHEAD = 8;
const DIGITS = /^\d{1,15}$/;

/**
 * Turns a batch of events into produce requests: records grouped by topic (in their order), split so no
 * request holds more than `maxRequestBytes` of records, since a broker refuses a partition's record batch
 * above its `message.max.bytes`. One request for an ordinary batch. Records share the event's header
 * object (no copy) and body buffer.
 */
export class RecordBatcher {
  private readonly fixedTopic: string | undefined;

  constructor(
    private readonly settings: RecordSettings,
    private readonly counter: KafkaSinkCounter,
  ) {
    const topic = settings.topic;
    this.fixedTopic = topic.headers.length === 0 ? (topic.literals[0] as string) : undefined;
  }

  /**
   * The requests to send, in order. Records `on_oversize = drop` discards are appended to `dropped`, for the
   * sink to count and log once the rest of the batch was delivered (a failed batch is taken again).
   */
  requests(events: readonly FlowEvent[], dropped: DroppedRecord[]): TopicMessages[][] {
    const settings = this.settings;
    const counter = this.counter;
    const max = settings.maxRequestBytes;
    const requests: TopicMessages[][] = [];
    let byTopic = new Map<string, Message[]>();
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlowEvent;
      const headers = event.headers;
      let topic = this.fixedTopic;
      if (topic === undefined) {
        topic = renderTopic(settings.topic, headers);
        if (topic === undefined) {
          topic = settings.defaultTopic;
          counter.TopicFallbackCount++;
        }
      }
      const key = settings.keyHeader === undefined ? undefined : headers[settings.keyHeader];
      const size = recordBytes(event.body.length, key, settings.recordHeaders ? headers : undefined);
      if (size > max) {
        if (settings.onOversize === "fail") {
          throw new OversizeRecordError(`a record of ${size} bytes for topic ${topic} is larger than max_request_bytes (${max}); the batch cannot be sent (on_oversize = fail)`);
        }
        dropped.push({ topic, bytes: size });
        continue;
      }
      if (bytes + size > max) {
        requests.push(topicMessages(byTopic));
        byTopic = new Map();
        bytes = 0;
      }
      bytes += size;
      const message: Message = {
        key: key ?? null,
        value: event.body,
        partition: this.partitionOf(headers),
        headers: settings.recordHeaders ? headers : undefined,
        timestamp: this.timestampOf(headers),
      };
      const messages = byTopic.get(topic);
      if (messages === undefined) byTopic.set(topic, [message]);
      else messages.push(message);
    }
    if (byTopic.size > 0) requests.push(topicMessages(byTopic));
    return requests;
  }

  private partitionOf(headers: Headers): number | undefined {
    const name = this.settings.partitionHeader;
    if (name === undefined) return undefined;
    const value = headers[name];
    if (value === undefined) return undefined;
    if (DIGITS.test(value)) return Number(value);
    this.counter.PartitionFallbackCount++;
    return undefined;
  }

  private timestampOf(headers: Headers): string | undefined {
    const name = this.settings.timestampHeader;
    if (name === undefined) return undefined;
    const value = headers[name];
    if (value !== undefined && DIGITS.test(value)) return value;
    this.counter.TimestampFallbackCount++;
    return undefined;
  }
}

function topicMessages(byTopic: Map<string, Message[]>): TopicMessages[] {
  const list: TopicMessages[] = [];
  for (const [topic, messages] of byTopic) list.push({ topic, messages });
  return list;
}

/** The bytes a record takes in a request (before compression), slightly overestimated. */
export function recordBytes(bodyBytes: number, key: string | undefined, headers: Headers | undefined): number {
  let size = RECORD_OVERHEAD + bodyBytes;
  if (key !== undefined) size += Buffer.byteLength(key);
  if (headers !== undefined) {
    for (const name in headers) size += HEADER_OVERHEAD + Buffer.byteLength(name) + Buffer.byteLength(headers[name] as string);
  }
  return size;
}
