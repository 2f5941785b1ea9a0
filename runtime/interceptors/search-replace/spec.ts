import type { ComponentSpec } from "../../spec";

/** The checker should reject an empty `search_pattern` (it matches between every two characters; Flume rejects it too). */
export const searchReplaceInterceptorSpec = {
  role: "interceptor",
  kind: "search_replace",
  summary:
    "Replaces every match of a regular expression in the body (read as UTF-8) (Flume's search_replace interceptor). A changed body is written back as UTF-8 (a byte sequence in it that is not valid UTF-8 becomes U+FFFD); bodies without a match keep their bytes.",
  implementation: "SearchReplaceInterceptor",
  properties: {
    search_pattern: {
      type: { kind: "regex" },
      required: true,
      doc: "Every match is replaced (the `g` flag is implied); must not be empty.",
    },
    replace_string: {
      type: { kind: "string" },
      default: "",
      doc: "Replacement text; `$1`, `$<name>` and `$&` insert a numbered group, a named group and the whole match (JavaScript's replacement patterns), `$$` a literal `$`.",
    },
  },
} as const satisfies ComponentSpec;
