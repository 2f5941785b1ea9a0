import { AgentExit } from "../agent/exit-codes";
import { UserFacingError } from "../core/errors";
import { compileRegex } from "../spec";

/**
 * Checks shared by the interceptor constructors. They throw `UserFacingError` for values that cannot work
 * (an invalid regular expression, a header that cannot be set). They accept the empty string, which is
 * what an `env()` value that is missing or invalid resolves to while the agent collects every environment
 * problem before stopping: a literal `""` is for the compiler to reject, and the environment never
 * supplies `""` (an empty variable counts as unset).
 */

export interface RegexAdjustments {
  /** Flags added to the user's (e.g. `g` to replace every match). */
  readonly addFlags?: string;
  /** Rewrites the pattern's source (e.g. to anchor it). */
  readonly wrap?: (source: string) => string;
}

/**
 * Compiles a `regex` property value (`/pattern/flags` as the compiler resolves it, or a bare pattern from
 * the environment) with the component's adjustments, or throws a `UserFacingError` naming `what`. The
 * user's flags are kept; components that call `test`/`exec` reset `lastIndex` first, so `g` and `y` leave
 * no state between events (`y` then means "at the start").
 */
export function compileRegexProperty(value: string, what: string, adjust: RegexAdjustments = {}): RegExp {
  try {
    const written = compileRegex(value);
    let flags = written.flags;
    for (const flag of adjust.addFlags ?? "") if (!flags.includes(flag)) flags += flag;
    const source = adjust.wrap === undefined ? written.source : adjust.wrap(written.source);
    return source === written.source && flags === written.flags ? written : new RegExp(source, flags);
  } catch (error) {
    throw new UserFacingError(`${what} is not a valid regular expression: ${(error as Error).message}`, AgentExit.config);
  }
}

/**
 * The names of the named capture groups of `regex`, in order of appearance. Found by matching an empty
 * string against `(?:source)|`, which always matches and whose `groups` lists every named group.
 */
export function namedCaptureGroups(regex: RegExp): string[] {
  const probe = new RegExp(`(?:${regex.source})|`, regex.flags.replace(/[gy]/g, ""));
  const groups = probe.exec("")?.groups;
  return groups === undefined ? [] : Object.keys(groups);
}

/**
 * Headers are plain objects: every name works except `__proto__`, whose assignment changes the object's
 * prototype instead of setting a header. Returns `name`.
 */
export function checkHeaderName(name: string, what: string): string {
  if (name === "__proto__") throw new UserFacingError(`${what} cannot be \`__proto__\`: it cannot be used as a header name`, AgentExit.config);
  return name;
}
