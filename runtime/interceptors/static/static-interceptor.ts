import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import { setHeaderOnAll } from "../set-header";
import type { staticInterceptorSpec } from "./spec";

export type StaticInterceptorConfig = ConfigOf<typeof staticInterceptorSpec>;

/** Sets one header to a fixed value. */
export class StaticInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  private readonly key: string;
  private readonly value: string;
  private readonly preserveExisting: boolean;

  constructor(
    readonly name: string,
    config: StaticInterceptorConfig,
  ) {
    this.key = checkHeaderName(config.key, `key of interceptor \`${name}\``);
    this.value = config.value;
    this.preserveExisting = config.preserve_existing;
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    this.counter.EventsInterceptedCount += events.length;
    setHeaderOnAll(events, this.key, this.value, this.preserveExisting);
    return events;
  }
}
