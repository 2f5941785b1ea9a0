import type { ComponentSpec } from "../../spec";

/**
 * At least one of `with_name`, `from_list` and `match_regex` must be set. The constructor enforces it;
 * the checker should too (none of the three given).
 */
export const removeHeaderInterceptorSpec = {
  role: "interceptor",
  kind: "remove_header",
  summary:
    "Removes headers by exact name, by a list of names, or by a regular expression on the name (Flume's remove_header interceptor). At least one of `with_name`, `from_list` and `match_regex` must be set; when several are, a header matching any of them is removed.",
  implementation: "RemoveHeaderInterceptor",
  properties: {
    with_name: {
      type: { kind: "string" },
      doc: "Name of a header to remove.",
    },
    from_list: {
      type: { kind: "list", of: { kind: "string" } },
      doc: "Names of headers to remove.",
    },
    match_regex: {
      type: { kind: "regex" },
      doc: "A header is removed when its whole name matches, as with Java's `matches()` (e.g. `/x-debug-.*/i`).",
    },
  },
} as const satisfies ComponentSpec;
