import type { KafkaMessage } from "kafkajs";
import { FlowEvent, type Headers } from "../../core/event";

/** The header names a kafka source sets from a record's metadata; an empty name sets none. */
export interface RecordHeaderNames {
  readonly topic: string;
  readonly partition: string;
  readonly offset: string;
  readonly key: string;
  readonly timestamp: string;
}

/**
 * Turns `count` records of one partition, from `start`, into events: the value becomes the body (a null
 * value, a tombstone, an empty body), the record's headers become headers (the last value when a name
 * repeats), then the names in `names` get the record's topic, partition, offset, key and timestamp,
 * overriding a record header of the same name: they say where this copy was read.
 *
 * The bodies are copied into one buffer per call: a record's value is a slice of the whole fetch
 * response, and keeping slices in a channel would keep every response alive for as long as one of its
 * events is queued.
 */
export function recordsToEvents(
  records: readonly KafkaMessage[],
  start: number,
  count: number,
  topic: string,
  partition: number,
  names: RecordHeaderNames,
): FlowEvent[] {
  const end = start + count;
  let total = 0;
  for (let i = start; i < end; i++) total += (records[i] as KafkaMessage).value?.length ?? 0;
  const bodies = Buffer.allocUnsafeSlow(total);
  const partitionText = String(partition);
  const events: FlowEvent[] = new Array<FlowEvent>(count);
  let at = 0;
  for (let i = start; i < end; i++) {
    const record = records[i] as KafkaMessage;
    const headers: Headers = {};
    const recordHeaders = record.headers;
    if (recordHeaders !== undefined) {
      for (const name in recordHeaders) {
        const text = headerText(recordHeaders[name]);
        if (text !== undefined) headers[name] = text;
      }
    }
    if (names.topic !== "") headers[names.topic] = topic;
    if (names.partition !== "") headers[names.partition] = partitionText;
    if (names.offset !== "") headers[names.offset] = record.offset;
    if (names.key !== "" && record.key !== null) headers[names.key] = record.key.toString();
    // kafkajs gives -1 for a record without a timestamp (old message formats).
    if (names.timestamp !== "" && record.timestamp !== "-1") headers[names.timestamp] = record.timestamp;
    const value = record.value;
    const length = value === null ? 0 : value.length;
    if (value !== null) value.copy(bodies, at);
    events[i - start] = new FlowEvent(headers, bodies.subarray(at, at + length));
    at += length;
  }
  return events;
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : headerText(value[value.length - 1]);
  return typeof value === "string" ? value : value.toString();
}
