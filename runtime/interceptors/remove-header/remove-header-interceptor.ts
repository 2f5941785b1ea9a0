import { AgentExit } from "../../agent/exit-codes";
import type { Interceptor } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { compileRegexProperty } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { removeHeaderInterceptorSpec } from "./spec";

export type RemoveHeaderInterceptorConfig = ConfigOf<typeof removeHeaderInterceptorSpec>;

/** Removes headers named in `with_name` or `from_list`, or whose whole name matches `match_regex`. */
export class RemoveHeaderInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
  /** `with_name` and `from_list` together, without repeats. */
  private readonly names: readonly string[];
  /** `match_regex` anchored at both ends; undefined when not set. */
  private readonly regex: RegExp | undefined;

  constructor(
    readonly name: string,
    config: RemoveHeaderInterceptorConfig,
  ) {
    const { with_name, from_list, match_regex } = config;
    if (with_name === undefined && from_list === undefined && match_regex === undefined) {
      throw new UserFacingError(
        `interceptor \`${name}\` (remove_header) needs at least one of \`with_name\`, \`from_list\` and \`match_regex\``,
        AgentExit.config,
      );
    }
    const names = new Set<string>(from_list ?? []);
    if (with_name !== undefined) names.add(with_name);
    this.names = [...names];
    this.regex =
      match_regex === undefined
        ? undefined
        : compileRegexProperty(match_regex, `match_regex of interceptor \`${name}\``, { wrap: (source) => `^(?:${source})$` });
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    const count = events.length;
    this.counter.EventsInterceptedCount += count;
    const names = this.names;
    const regex = this.regex;
    for (let i = 0; i < count; i++) {
      const headers = (events[i] as FlowEvent).headers;
      for (let n = 0; n < names.length; n++) delete headers[names[n] as string];
      if (regex !== undefined) {
        // Deleting the key being visited is allowed during for-in.
        for (const key in headers) {
          regex.lastIndex = 0;
          if (regex.test(key)) delete headers[key];
        }
      }
    }
    return events;
  }
}
