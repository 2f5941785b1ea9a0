import { FlowEvent, type Headers } from "../core/event";
import { MsgpackReader, TIME_EVENT_TIME, TIME_NIL, toJson, valueToText } from "./msgpack-reader";
import type { MsgpackWriter } from "./msgpack-writer";
import { ProtocolError } from "./protocol-error";

/**
 * How a flowc event (headers + body) and a Forward record (tag, time, map) map onto each other, both ways.
 * docs/forward.md states the same rules for users; keep the two in step.
 */

/** The record field that carries the body, as Fluentd and Fluent Bit users expect. */
export const BODY_FIELD = "message";
/** Read as the body when a record has no `message` (Docker's fluentd log driver, Fluent Bit's tail of container logs). */
export const FALLBACK_BODY_FIELD = "log";
/** The event time in epoch milliseconds, as Flume's timestamp interceptor writes it. */
export const TIMESTAMP_HEADER = "timestamp";
/** The event time in epoch nanoseconds, set when the sender sent an EventTime (so nanoseconds survive). */
export const TIMESTAMP_NS_HEADER = "timestamp_ns";

const EMPTY = Buffer.alloc(0);

/**
 * Turns Forward entries into events. One instance per connection (it caches the last time's header text,
 * which consecutive entries usually share).
 */
export class EntryDecoder {
  private readonly reader = new MsgpackReader(EMPTY);
  /** Receipt time of the message being decoded (for entries without a time), read once per message. */
  private nowMs = 0;
  private lastSeconds = -1;
  private lastNanoseconds = -1;
  private lastMillisText = "";
  private lastNanosText = "";

  constructor(
    private readonly tagHeader: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a message: entries without a time get the time it was received. */
  beginMessage(): void {
    this.nowMs = 0;
  }

  /** Decodes `[time, record]` entries from `reader` until `count` were read (Forward mode). */
  decodeEntries(reader: MsgpackReader, count: number, tag: string, out: FlowEvent[]): void {
    for (let i = 0; i < count; i++) {
      if (reader.readArrayHeader("entry") !== 2) throw new ProtocolError("entry: expected an array of time and record");
      reader.readTime("entry time");
      out.push(this.decodeRecord(reader, tag));
    }
  }

  /** Decodes a MessagePackEventStream (PackedForward): entries back to back until `end`. */
  decodeStream(buf: Buffer, start: number, end: number, tag: string, out: FlowEvent[]): void {
    const reader = this.reader;
    reader.reset(buf, start, end);
    while (!reader.atEnd) {
      if (reader.readArrayHeader("packed entry") !== 2) throw new ProtocolError("packed entry: expected an array of time and record");
      reader.readTime("packed entry time");
      out.push(this.decodeRecord(reader, tag));
    }
    reader.reset(EMPTY, 0, 0);
  }

  /**
   * The record after a time `reader` just read: `message` (else `log`) becomes the body, every other field a
   * header; then the tag and the time headers, which win over record fields of the same names.
   */
  decodeRecord(reader: MsgpackReader, tag: string): FlowEvent {
    const buf = reader.buf;
    const timeKind = reader.timeKind;
    const seconds = reader.seconds;
    const nanoseconds = reader.nanoseconds;
    const recordStart = reader.pos;
    const count = reader.readMapHeader("record");
    const headers: Headers = {};
    let body: Buffer | undefined;
    let fallback: Buffer | undefined;
    for (let i = 0; i < count; i++) {
      const key = reader.readKey("record key", 1);
      const type = reader.peek("record value");
      const textual = (type >= 0xa0 && type <= 0xbf) || (type >= 0xd9 && type <= 0xdb) || (type >= 0xc4 && type <= 0xc6);
      if (key === BODY_FIELD) {
        if (textual) {
          reader.readBytes("message");
          body = view(buf, reader.rangeStart, reader.rangeEnd);
        } else body = Buffer.from(toJson(reader.readValue("message", 1)));
      } else if (key === FALLBACK_BODY_FIELD && textual) {
        reader.readBytes("log");
        fallback = view(buf, reader.rangeStart, reader.rangeEnd);
      } else if (textual) {
        reader.readBytes("record value");
        headers[key] = buf.toString("utf8", reader.rangeStart, reader.rangeEnd);
      } else {
        const value = reader.readValue("record value", 1);
        if (value !== null) headers[key] = valueToText(value);
      }
    }
    if (body === undefined) {
      if (fallback !== undefined) body = fallback;
      else body = this.recordAsJson(buf, recordStart, reader.pos);
    } else if (fallback !== undefined) headers[FALLBACK_BODY_FIELD] = fallback.toString("utf8");
    headers[this.tagHeader] = tag;
    this.setTime(headers, timeKind, seconds, nanoseconds);
    return new FlowEvent(headers, body);
  }

  private setTime(headers: Headers, kind: number, seconds: number, nanoseconds: number): void {
    if (kind === TIME_NIL || (seconds === 0 && nanoseconds === 0)) {
      // No time (nil or 0, as Fluentd reads them): when the message was received.
      if (this.nowMs === 0) this.nowMs = this.now();
      headers[TIMESTAMP_HEADER] = String(this.nowMs);
      return;
    }
    if (seconds !== this.lastSeconds || nanoseconds !== this.lastNanoseconds) {
      this.lastSeconds = seconds;
      this.lastNanoseconds = nanoseconds;
      this.lastMillisText = String(seconds * 1000 + Math.floor(nanoseconds / 1_000_000));
      this.lastNanosText = seconds === 0 ? String(nanoseconds) : `${seconds}${String(nanoseconds).padStart(9, "0")}`;
    }
    headers[TIMESTAMP_HEADER] = this.lastMillisText;
    if (kind === TIME_EVENT_TIME) headers[TIMESTAMP_NS_HEADER] = this.lastNanosText;
  }

  /** A record without a body field: the body is the whole record as JSON (its fields are headers as well). */
  private recordAsJson(buf: Buffer, start: number, end: number): Buffer {
    const reader = new MsgpackReader(buf, start, end);
    return Buffer.from(toJson(reader.readValue("record", 0)));
  }
}

/** `buf[start, end)` without a copy (`Buffer.from` of the memory is cheaper than `subarray` in Node 20). */
function view(buf: Buffer, start: number, end: number): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
}

/** A time as a Forward entry carries it. */
interface EntryTime {
  seconds: number;
  nanoseconds: number;
}

const BODY_KEY = Buffer.from([0xa0 | BODY_FIELD.length, ...Buffer.from(BODY_FIELD)]);

/**
 * Turns events into Forward entries `[EventTime, record]`: the body as the `message` field (a string when it
 * is valid UTF-8, binary data otherwise), every header as a string field except the tag header and the
 * time headers, whose values are in the entry's tag and time. One instance per sink.
 */
export class EntryEncoder {
  /** Parsed time of the last `timestamp`/`timestamp_ns` texts seen: sources set one text on a whole batch. */
  private lastMillisText: string | undefined = undefined;
  private lastNanosText: string | undefined = undefined;
  private readonly lastTime: EntryTime = { seconds: 0, nanoseconds: 0 };
  private lastValid = false;

  constructor(
    private readonly tagHeader: string,
    readonly defaultTag: string,
  ) {}

  /** The tag of an event: its tag header, or the sink's `tag`. */
  tagOf(event: FlowEvent): string {
    const tag = event.headers[this.tagHeader];
    return tag === undefined || tag === "" ? this.defaultTag : tag;
  }

  /**
   * Writes entries for `events[from, to)` (which share a tag), stopping early once `maxBytes` were written;
   * returns the index of the first event not written. Events without a usable time header get `nowMs`.
   */
  encode(events: readonly FlowEvent[], from: number, to: number, nowMs: number, writer: MsgpackWriter, maxBytes = Infinity): number {
    const tagHeader = this.tagHeader;
    const nowSeconds = Math.floor(nowMs / 1000);
    const nowNanoseconds = (nowMs % 1000) * 1_000_000;
    const limit = writer.pos + maxBytes;
    let i = from;
    while (i < to && writer.pos < limit) {
      const event = events[i] as FlowEvent;
      const headers = event.headers;
      const timed = this.readTime(headers[TIMESTAMP_HEADER], headers[TIMESTAMP_NS_HEADER]);
      writer.arrayHeader(2);
      if (timed) writer.eventTime(this.lastTime.seconds, this.lastTime.nanoseconds);
      else writer.eventTime(nowSeconds, nowNanoseconds);
      let fields = 1;
      for (const key in headers) if (key !== tagHeader && !(timed && isTimeHeader(key))) fields++;
      writer.mapHeader(fields);
      writer.raw(BODY_KEY);
      writer.text(event.body);
      for (const key in headers) {
        if (key === tagHeader || (timed && isTimeHeader(key))) continue;
        writer.str(key);
        writer.str(headers[key] as string);
      }
      i++;
    }
    return i;
  }

  /**
   * Sets `lastTime` from the time headers and returns whether they held a time: `timestamp_ns` when it
   * agrees with `timestamp` (or there is no `timestamp`), else `timestamp` alone (an interceptor may have
   * changed it since the nanoseconds were set).
   */
  private readTime(millis: string | undefined, nanos: string | undefined): boolean {
    if (millis === this.lastMillisText && nanos === this.lastNanosText) return this.lastValid;
    this.lastMillisText = millis;
    this.lastNanosText = nanos;
    this.lastValid = parseTime(millis, nanos, this.lastTime);
    return this.lastValid;
  }
}

function isTimeHeader(key: string): boolean {
  return key === TIMESTAMP_HEADER || key === TIMESTAMP_NS_HEADER;
}

const DIGITS = /^\d+$/;

/** Parses the time headers into `into`; false when neither holds a usable time. */
export function parseTime(millis: string | undefined, nanos: string | undefined, into: EntryTime): boolean {
  const millisOk = millis !== undefined && millis.length <= 15 && DIGITS.test(millis);
  if (nanos !== undefined && nanos.length > 9 && nanos.length <= 19 && DIGITS.test(nanos) && (!millisOk || nanos.slice(0, -6) === millis)) {
    const seconds = Number(nanos.slice(0, -9));
    if (seconds < 2 ** 32) {
      into.seconds = seconds;
      into.nanoseconds = Number(nanos.slice(-9));
      return true;
    }
  }
  if (!millisOk) return false;
  const ms = Number(millis);
  const seconds = Math.floor(ms / 1000);
  if (seconds >= 2 ** 32) return false;
  into.seconds = seconds;
  into.nanoseconds = (ms % 1000) * 1_000_000;
  return true;
}
