import type { ComponentSpec } from "../../spec";

export const filesSinkSpec = {
  role: "sink",
  kind: "files",
  summary: "Appends each event's body and a newline to a file.",
  implementation: "FilesSink",
  properties: {
    path: {
      type: { kind: "string" },
      required: true,
      doc: "File to append to, relative to the agent's working directory; missing parent directories are created.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events taken from the channel and written per transaction.",
    },
    sync: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, each batch is flushed to disk (fdatasync) before the channel transaction commits, so it survives power loss; when false it is handed to the operating system, which survives an agent crash.",
    },
  },
} as const satisfies ComponentSpec;
