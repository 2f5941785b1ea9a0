import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { compileRegexProperty } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { regexFilterInterceptorSpec } from "./spec";

export type RegexFilterInterceptorConfig = ConfigOf<typeof regexFilterInterceptorSpec>;

/** Keeps the events whose body matches (or, with `exclude_events`, does not match), in order. */
export class RegexFilterInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  private readonly regex: RegExp;
  private readonly excludeEvents: boolean;

  constructor(
    readonly name: string,
    config: RegexFilterInterceptorConfig,
  ) {
    this.regex = compileRegexProperty(config.regex, `regex of interceptor \`${name}\``);
    this.excludeEvents = config.exclude_events;
  }

  /** Compacts `events` in place: kept events move forward in their order, then the array is shortened. */
  intercept(events: FlowEvent[]): FlowEvent[] {
    const count = events.length;
    const { regex, excludeEvents } = this;
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const event = events[i] as FlowEvent;
      regex.lastIndex = 0;
      if (regex.test(event.bodyText()) !== excludeEvents) events[kept++] = event;
    }
    if (kept < count) events.length = kept;
    this.counter.EventsInterceptedCount += count;
    this.counter.EventsDroppedCount += count - kept;
    return events;
  }
}
