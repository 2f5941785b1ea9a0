import { isUtf8 } from "node:buffer";
import type { FlowEvent } from "../../core/event";

/** How an event becomes a line: its body (`text`, Flume's TEXT serializer) or a JSON object with its headers. */
export type EventFormat = "text" | "json";

const NEWLINE = 0x0a;

/**
 * Encodes runs of events into one reused buffer, a line per event: `text` writes the body and a newline,
 * `json` writes `{"headers":{…},"body":"…"}` and a newline. The buffer is reused from batch to batch (batches
 * are written one at a time), so a batch costs one copy of its bodies and no allocation once it has grown.
 */
export class EventEncoder {
  private scratch = Buffer.allocUnsafe(256 * 1024);
  /** Bytes of the last `encode`. */
  length = 0;
  /** JSON lines of the run being encoded, reused. */
  private readonly lines: string[] = [];

  constructor(readonly format: EventFormat) {}

  /** The bytes of the last `encode`; valid until the next call. */
  bytes(): Buffer {
    return this.scratch.subarray(0, this.length);
  }

  /**
   * Encodes `events[from, to)` (after a newline when `leadingNewline`), stopping before the event that would
   * make more than `maxEvents` events or `maxBytes` bytes, except that the first event is always taken when
   * `firstAlways` (a file is never left empty because one event is larger than the roll size). Returns the
   * index after the last event encoded (`from` when none fitted).
   */
  encode(events: readonly FlowEvent[], from: number, to: number, maxEvents: number, maxBytes: number, firstAlways: boolean, leadingNewline: boolean): number {
    const last = Math.min(to, from + Math.max(0, maxEvents));
    return this.format === "text" ? this.encodeText(events, from, last, maxBytes, firstAlways, leadingNewline) : this.encodeJson(events, from, last, maxBytes, firstAlways, leadingNewline);
  }

  private encodeText(events: readonly FlowEvent[], from: number, to: number, maxBytes: number, firstAlways: boolean, leadingNewline: boolean): number {
    let total = leadingNewline ? 1 : 0;
    let end = from;
    if (maxBytes === Infinity) {
      for (; end < to; end++) total += (events[end] as FlowEvent).body.length + 1;
    } else {
      for (; end < to; end++) {
        const size = (events[end] as FlowEvent).body.length + 1;
        if (total + size > maxBytes && !(end === from && firstAlways)) break;
        total += size;
      }
    }
    const out = this.reserve(total);
    let offset = 0;
    if (leadingNewline) out[offset++] = NEWLINE;
    for (let i = from; i < end; i++) {
      offset += (events[i] as FlowEvent).body.copy(out, offset);
      out[offset++] = NEWLINE;
    }
    this.length = total;
    return end;
  }

  private encodeJson(events: readonly FlowEvent[], from: number, to: number, maxBytes: number, firstAlways: boolean, leadingNewline: boolean): number {
    const lines = this.lines;
    lines.length = 0;
    let total = leadingNewline ? 1 : 0;
    let end = from;
    for (; end < to; end++) {
      const line = jsonLine(events[end] as FlowEvent);
      const size = Buffer.byteLength(line);
      if (total + size > maxBytes && !(end === from && firstAlways)) break;
      total += size;
      lines.push(line);
    }
    const out = this.reserve(total);
    let offset = 0;
    if (leadingNewline) out[offset++] = NEWLINE;
    for (const line of lines) offset += out.write(line, offset);
    lines.length = 0;
    this.length = total;
    return end;
  }

  private reserve(bytes: number): Buffer {
    if (bytes > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    return this.scratch;
  }
}

/** One event as a JSON line: `{"headers":{…},"body":"…"}` and a newline. */
export function jsonLine(event: FlowEvent): string {
  return `{"headers":${JSON.stringify(event.headers)},"body":${JSON.stringify(bodyString(event))}}\n`;
}

/**
 * The body as a string for JSON: its UTF-8 text, or, when it is not valid UTF-8, the text with each byte
 * that is not part of a valid sequence written as the lone surrogate U+DC80–U+DCFF (Python's
 * `surrogateescape`, PEP 383), which JSON.stringify writes as `\udc80`–`\udcff`. Valid UTF-8 never contains
 * those, so the bytes can be recovered exactly: `json.loads(line)["body"].encode("utf-8", "surrogateescape")`.
 */
export function bodyString(event: FlowEvent): string {
  const body = event.body;
  return isUtf8(body) ? event.bodyText() : surrogateEscaped(body);
}

/** Decodes UTF-8, writing each byte that does not start a valid sequence as U+DC00 + byte. */
export function surrogateEscaped(bytes: Buffer): string {
  let text = "";
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString("utf8", run, i) + String.fromCharCode(0xdc00 + (bytes[i] as number));
    i++;
    run = i;
  }
  return text + bytes.toString("utf8", run, bytes.length);
}

function continuation(bytes: Buffer, at: number, low = 0x80, high = 0xbf): boolean {
  const byte = bytes[at];
  return byte !== undefined && byte >= low && byte <= high;
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF), or 0. */
function sequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i] as number;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(bytes, i + 1) ? 2 : 0;
  if (lead === 0xe0) return continuation(bytes, i + 1, 0xa0) && continuation(bytes, i + 2) ? 3 : 0;
  if (lead === 0xed) return continuation(bytes, i + 1, 0x80, 0x9f) && continuation(bytes, i + 2) ? 3 : 0;
  if (lead >= 0xe1 && lead <= 0xef) return continuation(bytes, i + 1) && continuation(bytes, i + 2) ? 3 : 0;
  if (lead === 0xf0) return continuation(bytes, i + 1, 0x90) && continuation(bytes, i + 2) && continuation(bytes, i + 3) ? 4 : 0;
  if (lead >= 0xf1 && lead <= 0xf3) return continuation(bytes, i + 1) && continuation(bytes, i + 2) && continuation(bytes, i + 3) ? 4 : 0;
  if (lead === 0xf4) return continuation(bytes, i + 1, 0x80, 0x8f) && continuation(bytes, i + 2) && continuation(bytes, i + 3) ? 4 : 0;
  return 0;
}
