import { nonEmpty, type ComponentSpec } from "../../spec";

export const stdinSourceSpec = {
  role: "source",
  kind: "stdin",
  summary:
    "Reads the agent's standard input and turns each delimited record (a line, by default) into one event, for `command | agent`. " +
    "A full channel pauses reading, so the writer blocks. At the end of the input the source is finished, and an agent whose sources " +
    "are all finished delivers what its channels hold and exits 0 (see [agent.md](agent.md#finite-sources)). A tier has at most one `stdin` source.",
  maxPerTier: 1,
  implementation: "StdinSource",
  properties: {
    delimiter: {
      type: { kind: "string" },
      default: "\n",
      validate: nonEmpty,
      doc: 'What ends a record, as UTF-8 bytes, removed from the event: one character or more, e.g. `"\\r\\n"`, or `"\\u{0}"` for `find -print0`. A last record without one is kept.',
    },
    max_line_length: {
      type: { kind: "size", min: 1 },
      default: 1_048_576,
      doc: "Longest record accepted; a longer one is cut to this length, the rest up to its delimiter is discarded, and `LineTruncatedCount` counts it.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most records handed to the channels in one transaction; whatever one read returned goes at once, without waiting for more.",
    },
  },
} as const satisfies ComponentSpec;
