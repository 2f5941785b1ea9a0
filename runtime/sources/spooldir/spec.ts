import { nonEmpty, type ComponentSpec } from "../../spec";

export const spooldirSourceSpec = {
  role: "source",
  kind: "spooldir",
  summary:
    "Reads the files dropped into a directory, one event per line, one file at a time, and marks each file done once all its lines are in the channel: renamed with `completed_suffix`, or deleted (Flume's spooling directory source). Remembers where it is in a file, so a restart resumes there; a file that changes while it is read is refused (renamed with `.FAILED`). See docs/spooldir.md.",
  implementation: "SpooldirSource",
  setsHeaders: [{ nameFrom: "file_header" }, { nameFrom: "basename_header" }],
  properties: {
    directory: {
      type: { kind: "string" },
      required: true,
      writes: "directory",
      doc: "The spooling directory, created if missing. Files in it must not change once they are eligible (see `min_age`): write them elsewhere (or under a name starting with `.`) and move them in, or let `min_age` wait for the writer. Names starting with `.`, ending with `completed_suffix` or with `.FAILED`, and everything that is not a regular file are never read.",
    },
    include: {
      type: { kind: "regex" },
      doc: "Only files whose name (not path) matches are read. Every file when not set.",
    },
    ignore: {
      type: { kind: "regex" },
      doc: "Files whose name matches are never read, even if `include` matches; with `recursive`, nor are subdirectories whose name matches.",
    },
    completed_suffix: {
      type: { kind: "string" },
      default: ".COMPLETED",
      doc: "Appended to a file's name once every line of it is in the channel (with `delete_policy = never`). If that name is taken, a timestamp is put before the suffix.",
    },
    delete_policy: {
      type: { kind: "enum", values: ["never", "immediate"] },
      default: "never",
      doc: "`never`: a finished file is renamed with `completed_suffix`; `immediate`: it is deleted.",
    },
    consume_order: {
      type: { kind: "enum", values: ["oldest", "youngest", "random"] },
      default: "oldest",
      doc: "Which eligible file is read next: the least recently modified (ties by name), the most recently modified, or any. `youngest` lists the directory again after each file; the others list it once per backlog.",
    },
    recursive: {
      type: { kind: "boolean" },
      default: false,
      doc: "Also read files in subdirectories (at any depth; symbolic links to directories are not followed).",
    },
    min_age: {
      type: { kind: "duration" },
      default: 1_000,
      doc: "A file is read only once it has not been modified for this long, so a file still being written (e.g. by `cp`) is left alone until its writer is done. `0ms` reads files as soon as they appear, which needs writers to move finished files in.",
    },
    poll_delay: {
      type: { kind: "duration", min: 1 },
      default: 500,
      doc: "How long to wait before listing the directory again when no file is ready.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most lines handed to the channel in one transaction; the position in the file is saved after each one.",
    },
    max_line_length: {
      type: { kind: "size", min: 1 },
      default: 1_048_576,
      doc: "Longest line accepted, in bytes without the delimiter; what happens to a longer one is `long_lines`.",
    },
    long_lines: {
      type: { kind: "enum", values: ["truncate", "discard"] },
      default: "truncate",
      doc: "A line longer than `max_line_length`: `truncate` delivers its first `max_line_length` bytes (counted in `LineTruncatedCount`); `discard` leaves it out (counted in `LineDiscardedCount`). The first one of each file is logged as a warning.",
    },
    delimiter: {
      type: { kind: "string" },
      default: "\n",
      validate: nonEmpty,
      doc: "The bytes that end a line, not part of the event (e.g. `\"\\r\\n\"`). A last line without delimiter is delivered too. Must not be empty.",
    },
    file_header: {
      type: { kind: "string" },
      doc: "When set, the header of this name carries the absolute path of the file each event came from.",
    },
    basename_header: {
      type: { kind: "string" },
      doc: "When set, the header of this name carries the name of the file each event came from.",
    },
    tracker_dir: {
      type: { kind: "string" },
      writes: "directory",
      doc: "Where the position in the current file is saved (and the lock that keeps a second agent off the directory). `.flowc-spool` inside `directory` when not set; relative to the agent's working directory when set.",
    },
  },
} as const satisfies ComponentSpec;
