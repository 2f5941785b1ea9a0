import type { PropertyValue } from "../../spec";
import { parseTemplate, TemplateError } from "./path-template";
import { roundingOf, ZonedClock } from "./zoned-clock";

// The checks of the `files` and `file_roll` specs' `validate`: `flowc check` reports a value written in
// the file that fails one (FLOW3004), and the sinks run the same checks on `env()` values when constructed.

/** A path template the sink cannot use: an unknown escape, or a name that ends with `/`. */
export function pathProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value === "" || value.endsWith("/")) return "names a directory; it must name a file";
  try {
    parseTemplate(value);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}

export function roundDownProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "number") return undefined;
  try {
    roundingOf(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function timeZoneProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    new ZonedClock(value);
    return undefined;
  } catch {
    return "not a time zone: an IANA name such as `UTC` or `Europe/Paris`, or empty for the agent's own";
  }
}

/** For parts of a file name. */
export function nameProblem(value: PropertyValue): string | undefined {
  return typeof value === "string" && value.includes("/") ? "must not contain `/`" : undefined;
}
