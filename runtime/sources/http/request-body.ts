import { FlowEvent } from "../../core/event";
import { EventShapeError, describeJson, eventFromJson } from "../../http/flume-json";

/** How a request body is turned into events (see the `format` property and docs/http.md). */
export type BodyFormat = "json" | "ndjson" | "text";

/** A request the source answers with an error: the status and a message for the sender. */
export class RequestRefusal extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "RequestRefusal";
  }
}

const NDJSON_TYPES = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines"]);
const UTF8_CHARSETS = new Set(["utf-8", "utf8", "us-ascii"]);
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Strict: a JSON body that is not UTF-8 is refused rather than decoded with replacement characters. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The format of a request's body: the configured one, or with `auto` the one its Content-Type names.
 * Throws a 415 refusal for a type `auto` does not know or a charset other than UTF-8.
 */
export function bodyFormat(configured: "auto" | BodyFormat, contentType: string | undefined): BodyFormat {
  const semicolon = contentType === undefined ? -1 : contentType.indexOf(";");
  const mediaType = (contentType === undefined ? "" : semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const charset = contentType === undefined || semicolon === -1 ? undefined : /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType.slice(semicolon))?.[1];
  if (charset !== undefined && !UTF8_CHARSETS.has(charset.toLowerCase())) {
    throw new RequestRefusal(415, `charset ${charset} is not accepted: send UTF-8`);
  }
  if (configured !== "auto") return configured;
  if (mediaType === "" || mediaType === "text/plain") return "text";
  if (mediaType === "application/json") return "json";
  if (NDJSON_TYPES.has(mediaType)) return "ndjson";
  const hint = mediaType === "application/x-www-form-urlencoded" ? " (curl -d sends this type unless told otherwise: add -H 'Content-Type: …')" : "";
  throw new RequestRefusal(
    415,
    `Content-Type ${mediaType} is not accepted${hint}; send application/json (a JSON array of {"headers", "body"} objects), application/x-ndjson (one such object per line) or text/plain (one event per line)`,
  );
}

/**
 * The events of a complete request body. At most `maxEvents`: a body with more is refused with 413 (it
 * would not fit in one channel transaction), detected before the events past the limit are built.
 */
export function decodeEvents(body: Buffer, format: BodyFormat, maxEvents: number): FlowEvent[] {
  switch (format) {
    case "json":
      return decodeJsonArray(body, maxEvents);
    case "ndjson":
      return decodeNdjson(body, maxEvents);
    case "text":
      return decodeLines(body, maxEvents);
  }
}

/** 413 for a request with more than `maxEvents` events (`count` of them, when known). */
function tooMany(maxEvents: number, count?: number): RequestRefusal {
  return new RequestRefusal(
    413,
    `the request carries ${count === undefined ? `more than ${maxEvents}` : count} events; at most ${maxEvents} (the source's batch_size) are accepted per request, because a request is put into the channel in one transaction`,
  );
}

function utf8Text(body: Buffer): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new RequestRefusal(400, "the body is not valid UTF-8");
  }
}

function decodeJsonArray(body: Buffer, maxEvents: number): FlowEvent[] {
  const text = utf8Text(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RequestRefusal(400, text.trim() === "" ? "the body is empty; expected a JSON array of events" : `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new RequestRefusal(400, `the body is ${describeJson(parsed)}; expected a JSON array of {"headers": {…}, "body": "…"} objects`);
  if (parsed.length > maxEvents) throw tooMany(maxEvents, parsed.length);
  const events = new Array<FlowEvent>(parsed.length);
  for (let i = 0; i < parsed.length; i++) events[i] = shaped(parsed[i], `element [${i}]`);
  return events;
}

function decodeNdjson(body: Buffer, maxEvents: number): FlowEvent[] {
  const text = utf8Text(body);
  const events: FlowEvent[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    line++;
    const content = text.slice(start, end);
    start = end + 1;
    // JSON.parse allows whitespace around a value: only a blank line needs a look of its own.
    if (content.length === 0 || content === "\r") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch (error) {
      if (content.trim() === "") continue;
      throw new RequestRefusal(400, `line ${line} is not valid JSON: ${(error as Error).message}`);
    }
    if (events.length === maxEvents) throw tooMany(maxEvents);
    events.push(shaped(parsed, `line ${line}`));
  }
  return events;
}

function shaped(value: unknown, where: string): FlowEvent {
  try {
    return eventFromJson(value, where);
  } catch (error) {
    if (error instanceof EventShapeError) throw new RequestRefusal(400, error.message);
    throw error;
  }
}

/** One event per line (LF or CRLF); empty lines carry nothing and are skipped. Bodies are views into `body`. */
function decodeLines(body: Buffer, maxEvents: number): FlowEvent[] {
  const events: FlowEvent[] = [];
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    const next = end + 1;
    if (end > start && body[end - 1] === CARRIAGE_RETURN) end--;
    if (end > start) {
      if (events.length === maxEvents) throw tooMany(maxEvents);
      events.push(new FlowEvent(undefined, body.subarray(start, end)));
    }
    start = next;
  }
  return events;
}
