import type { FlowEvent } from "../../core/event";
import { appendEventJson } from "../../http/flume-json";

export type SinkFormat = "ndjson" | "json_array" | "text";

/** The Content-Type of each format (a `Content-Type` in the sink's `headers` replaces it). */
export const CONTENT_TYPES: Readonly<Record<SinkFormat, string>> = {
  ndjson: "application/x-ndjson",
  json_array: "application/json",
  text: "text/plain; charset=utf-8",
};

const NEWLINE = 0x0a;

/** One request body for the whole batch (see the `format` property and docs/http.md). */
export function encodeBatch(events: readonly FlowEvent[], format: SinkFormat): Buffer {
  if (format === "text") return textBody(events);
  const parts: string[] = [];
  if (format === "json_array") parts.push("[");
  for (let i = 0; i < events.length; i++) {
    if (format === "json_array" && i > 0) parts.push(",");
    appendEventJson(parts, events[i] as FlowEvent);
    if (format === "ndjson") parts.push("\n");
  }
  if (format === "json_array") parts.push("]");
  return Buffer.from(parts.join(""), "utf8");
}

/** Each body's bytes as they are, then a newline. */
function textBody(events: readonly FlowEvent[]): Buffer {
  let total = 0;
  for (let i = 0; i < events.length; i++) total += (events[i] as FlowEvent).body.length + 1;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < events.length; i++) {
    offset += (events[i] as FlowEvent).body.copy(out, offset);
    out[offset++] = NEWLINE;
  }
  return out;
}
