import type { ComponentSpec } from "../../spec";
import { nameProblem } from "../files/validate";

export const fileRollSinkSpec = {
  role: "sink",
  kind: "file_roll",
  summary:
    "Writes events to a series of files in one directory, starting a new file every `roll_interval` (Flume's file_roll sink, with its file names `<prefix><start>-<n><suffix>`: the time the sink started in milliseconds, then 1, 2, 3, …). See files-sink.md.",
  implementation: "FileRollSink",
  properties: {
    directory: {
      type: { kind: "string" },
      required: true,
      writes: "directory",
      doc: "Directory of the files, relative to the agent's working directory; created if missing. One sink per directory.",
    },
    roll_interval: {
      type: { kind: "duration" },
      default: 30_000,
      doc: "Start a new file this long after the current one was opened (Flume's default, 30s). A file is opened by the first event after that, so a quiet sink makes no empty files. `0s`: one file for the whole run.",
    },
    prefix: {
      type: { kind: "string" },
      default: "",
      validate: nameProblem,
      doc: "Put before each file name.",
    },
    suffix: {
      type: { kind: "string" },
      default: "",
      validate: nameProblem,
      doc: "Put after each file name as it is, e.g. `.log` (Flume's `extension` adds the dot itself).",
    },
    format: {
      type: { kind: "enum", values: ["text", "json"] },
      default: "text",
      doc: "`text`: each event's body and a newline (Flume's TEXT serializer). `json`: one JSON object per line, `{\"headers\":{…},\"body\":\"…\"}`, as in the `files` sink.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 100,
      doc: "Most events taken from the channel and written per transaction (Flume's default, 100).",
    },
    sync: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, each batch is flushed to disk (fdatasync) before the channel transaction commits, so it survives power loss; when false it is handed to the operating system, which survives an agent crash.",
    },
  },
} as const satisfies ComponentSpec;
