import type { FlowEvent } from "../core/event";

/**
 * Sets header `key` to `value` on every event of the batch, in place; with `preserveExisting`, events
 * that already have the header keep their value.
 */
export function setHeaderOnAll(events: readonly FlowEvent[], key: string, value: string, preserveExisting: boolean): void {
  const count = events.length;
  if (preserveExisting) {
    for (let i = 0; i < count; i++) {
      const headers = (events[i] as FlowEvent).headers;
      if (!Object.hasOwn(headers, key)) headers[key] = value;
    }
  } else {
    for (let i = 0; i < count; i++) (events[i] as FlowEvent).headers[key] = value;
  }
}
