import type { ComponentSpec } from "../../spec";

export const regexFilterInterceptorSpec = {
  role: "interceptor",
  kind: "regex_filter",
  summary:
    "Keeps or drops events by whether their body (read as UTF-8) contains a match of a regular expression (Flume's regex_filter interceptor). Dropped events are counted in `EventsDroppedCount`.",
  implementation: "RegexFilterInterceptor",
  properties: {
    regex: {
      type: { kind: "regex" },
      required: true,
      doc: "Searched for anywhere in the body, as with Java's `find()`; anchor it with `^` and `$` to match the whole body.",
    },
    exclude_events: {
      type: { kind: "boolean" },
      default: false,
      doc: "When false, events whose body matches are kept and the others dropped; when true, events whose body matches are dropped.",
    },
  },
} as const satisfies ComponentSpec;
