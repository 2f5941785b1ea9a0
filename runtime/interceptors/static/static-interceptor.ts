import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { staticInterceptorSpec } from "./spec";

export type StaticInterceptorConfig = ConfigOf<typeof staticInterceptorSpec>;

/** Sets one header to a fixed value. */
export class StaticInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
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
    // The store is written here, not in a helper shared by the header-setting interceptors: V8 keeps type
    // feedback per function, and one store site fed every kind's key went megamorphic (bench/pipeline.ts
    // gained a tenth when each kind got its own).
    const key = this.key;
    const value = this.value;
    const preserveExisting = this.preserveExisting;
    for (let i = 0; i < events.length; i++) {
      const headers = (events[i] as FlowEvent).headers;
      if (!preserveExisting || !Object.hasOwn(headers, key)) headers[key] = value;
    }
    return events;
  }
}
