import type { ComponentSpec } from "../../spec";

/**
 * The checker should reject a `regex` without named capture groups (`namedCaptureGroups` in
 * `../interceptor-config` lists them); the constructor rejects one too, unless it is the empty placeholder
 * of an `env()` value that the agent is about to report.
 */
export const regexExtractorInterceptorSpec = {
  role: "interceptor",
  kind: "regex_extractor",
  summary:
    "Copies parts of the body into headers: each named capture group of the first match in the body (read as UTF-8) sets the header of the same name (Flume's regex_extractor interceptor, with named groups in place of serializers). Events without a match pass unchanged.",
  implementation: "RegexExtractorInterceptor",
  setsHeaders: [{ groupsOf: "regex" }],
  properties: {
    regex: {
      type: { kind: "regex" },
      required: true,
      doc: "Needs at least one named group, e.g. `/(?<status>\\d{3}) (?<bytes>\\d+)$/`; a group that takes no part in the match leaves its header as it was.",
    },
  },
} as const satisfies ComponentSpec;
