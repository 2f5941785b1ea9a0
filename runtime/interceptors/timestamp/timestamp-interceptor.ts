import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { timestampInterceptorSpec } from "./spec";

export type TimestampInterceptorConfig = ConfigOf<typeof timestampInterceptorSpec>;

/** Sets a header to the current time in epoch milliseconds, read once per batch. */
export class TimestampInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
  private readonly header: string;
  private readonly preserveExisting: boolean;

  constructor(
    readonly name: string,
    config: TimestampInterceptorConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.header = checkHeaderName(config.header, `header of interceptor \`${name}\``);
    this.preserveExisting = config.preserve_existing;
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    this.counter.EventsInterceptedCount += events.length;
    if (events.length === 0) return events;
    // Its own loop rather than a helper shared with the other header-setting interceptors: see
    // StaticInterceptor.intercept.
    const key = this.header;
    const value = String(this.now());
    const preserveExisting = this.preserveExisting;
    for (let i = 0; i < events.length; i++) {
      const headers = (events[i] as FlowEvent).headers;
      if (!preserveExisting || !Object.hasOwn(headers, key)) headers[key] = value;
    }
    return events;
  }
}
