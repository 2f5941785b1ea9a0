import { AgentExit } from "../../agent/exit-codes";
import type { Interceptor } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName, compileRegexProperty, namedCaptureGroups } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { regexExtractorInterceptorSpec } from "./spec";

export type RegexExtractorInterceptorConfig = ConfigOf<typeof regexExtractorInterceptorSpec>;

/** Sets one header per named capture group of the first match in the body. */
export class RegexExtractorInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
  private readonly regex: RegExp;
  /** The named groups, which are also the headers they set. */
  private readonly groups: readonly string[];

  constructor(
    readonly name: string,
    config: RegexExtractorInterceptorConfig,
  ) {
    const what = `regex of interceptor \`${name}\``;
    this.regex = compileRegexProperty(config.regex, what);
    this.groups = namedCaptureGroups(this.regex);
    if (this.groups.length === 0 && config.regex !== "") {
      throw new UserFacingError(`${what} has no named capture group such as \`(?<status>\\d+)\`: it would set no header`, AgentExit.config);
    }
    for (const group of this.groups) checkHeaderName(group, `a capture group of ${what}`);
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    const count = events.length;
    this.counter.EventsInterceptedCount += count;
    const { regex, groups } = this;
    if (groups.length === 0) return events;
    for (let i = 0; i < count; i++) {
      const event = events[i] as FlowEvent;
      regex.lastIndex = 0;
      const match = regex.exec(event.bodyText());
      // A regex with named groups always has `groups` on its matches.
      const values = match?.groups;
      if (values === undefined) continue;
      const headers = event.headers;
      for (let g = 0; g < groups.length; g++) {
        const group = groups[g] as string;
        const value = values[group];
        if (value !== undefined) headers[group] = value;
      }
    }
    return events;
  }
}
