import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import { setHeaderOnAll } from "../set-header";
import type { timestampInterceptorSpec } from "./spec";

export type TimestampInterceptorConfig = ConfigOf<typeof timestampInterceptorSpec>;

/** Sets a header to the current time in epoch milliseconds, read once per batch. */
export class TimestampInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
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
    if (events.length > 0) setHeaderOnAll(events, this.header, String(this.now()), this.preserveExisting);
    return events;
  }
}
