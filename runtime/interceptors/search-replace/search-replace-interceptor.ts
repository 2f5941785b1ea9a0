import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { compileRegexProperty } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { searchReplaceInterceptorSpec } from "./spec";

export type SearchReplaceInterceptorConfig = ConfigOf<typeof searchReplaceInterceptorSpec>;

/** Replaces every match of `search_pattern` in the body with `replace_string`. */
export class SearchReplaceInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
  /** Global, so `replace` replaces every match (and restarts from 0 on each call). */
  private readonly regex: RegExp;
  private readonly replacement: string;

  constructor(
    readonly name: string,
    config: SearchReplaceInterceptorConfig,
  ) {
    this.regex = compileRegexProperty(config.search_pattern, `search_pattern of interceptor \`${name}\``, { addFlags: "g" });
    this.replacement = config.replace_string;
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    const count = events.length;
    this.counter.EventsInterceptedCount += count;
    const { regex, replacement } = this;
    for (let i = 0; i < count; i++) {
      const event = events[i] as FlowEvent;
      const text = event.bodyText();
      const replaced = text.replace(regex, replacement);
      // Only a changed body is re-encoded: others keep their bytes, even ones that are not valid UTF-8.
      if (replaced !== text) event.body = Buffer.from(replaced, "utf8");
    }
    return events;
  }
}
