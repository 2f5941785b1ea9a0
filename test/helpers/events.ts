import { FlowEvent, type Headers } from "../../runtime/core/event";

/** An event whose body is `body` (UTF-8 when a string). */
export function event(body: string | Buffer, headers: Headers = {}): FlowEvent {
  return new FlowEvent(headers, typeof body === "string" ? Buffer.from(body, "utf8") : body);
}

/** Events with bodies `${prefix}${i}` for i in [from, from + count). */
export function numberedEvents(count: number, prefix = "e", from = 0): FlowEvent[] {
  return Array.from({ length: count }, (_, i) => event(`${prefix}${from + i}`));
}

/** The bodies of `events` decoded as UTF-8, in order. */
export function bodies(events: readonly FlowEvent[]): string[] {
  return events.map((e) => e.body.toString("utf8"));
}
