import { FlowEvent, type Headers } from "../core/event";

/**
 * Flume's JSON event shape, as its `JSONHandler` reads it and the `http` sink writes it:
 * `{"headers": {"name": "value", …}, "body": "text"}`. Headers are strings; the body is the event's bytes
 * read as UTF-8 text. See docs/http.md.
 */

/** An element of a request that is not a Flume JSON event; `message` says what is wrong, in words for the sender. */
export class EventShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventShapeError";
  }
}

/** Appends `event` as one Flume JSON object to `out` (no per-event object is built: strings only). */
export function appendEventJson(out: string[], event: FlowEvent): void {
  out.push('{"headers":', JSON.stringify(event.headers), ',"body":', JSON.stringify(event.bodyText()), "}");
}

/**
 * The event a parsed JSON value describes. `where` names it in errors (`event 3`, `line 7`). `headers`
 * may be left out; every header value must be a string, as in Flume (a number would not come back as the
 * same text, so it is refused rather than guessed at).
 */
export function eventFromJson(value: unknown, where: string): FlowEvent {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EventShapeError(`${where} is ${describeJson(value)}; expected an object {"headers": {…}, "body": "…"}`);
  }
  const record = value as Record<string, unknown>;
  const body = record["body"];
  if (typeof body !== "string") {
    throw new EventShapeError(body === undefined ? `${where} has no "body"` : `${where} has a "body" that is ${describeJson(body)}; expected a string`);
  }
  const rawHeaders = record["headers"];
  const headers: Headers = {};
  if (rawHeaders !== undefined && rawHeaders !== null) {
    if (typeof rawHeaders !== "object" || Array.isArray(rawHeaders)) {
      throw new EventShapeError(`${where} has "headers" that are ${describeJson(rawHeaders)}; expected an object of strings`);
    }
    for (const name of Object.keys(rawHeaders)) {
      const header = (rawHeaders as Record<string, unknown>)[name];
      // Assigning to `__proto__` would silently do nothing: refuse it rather than lose it.
      if (name === "__proto__") throw new EventShapeError(`${where} has a header named "__proto__", which flowc does not accept`);
      if (typeof header !== "string") {
        throw new EventShapeError(`${where} has header ${JSON.stringify(name)} that is ${describeJson(header)}; header values must be strings`);
      }
      headers[name] = header;
    }
  }
  return new FlowEvent(headers, Buffer.from(body, "utf8"));
}

/** A JSON value's kind, for error messages: "a number", "an array", "null". */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "object":
      return "an object";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    default:
      return "missing";
  }
}
