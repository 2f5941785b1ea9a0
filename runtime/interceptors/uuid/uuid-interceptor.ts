import { randomUUID } from "node:crypto";
import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { uuidInterceptorSpec } from "./spec";

export type UuidInterceptorConfig = ConfigOf<typeof uuidInterceptorSpec>;

/** Sets a header to `prefix` followed by a random UUID, one per event. */
export class UuidInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
  private readonly header: string;
  private readonly preserveExisting: boolean;
  private readonly prefix: string;

  constructor(
    readonly name: string,
    config: UuidInterceptorConfig,
  ) {
    this.header = checkHeaderName(config.header, `header of interceptor \`${name}\``);
    this.preserveExisting = config.preserve_existing;
    this.prefix = config.prefix;
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    const count = events.length;
    this.counter.EventsInterceptedCount += count;
    const { header, preserveExisting, prefix } = this;
    for (let i = 0; i < count; i++) {
      const headers = (events[i] as FlowEvent).headers;
      if (preserveExisting && Object.hasOwn(headers, header)) continue;
      headers[header] = prefix + randomUUID();
    }
    return events;
  }
}
