import type { ComponentSpec } from "../../spec";

export const taildirSourceSpec = {
  role: "source",
  kind: "taildir",
  summary:
    "Follows groups of files matched by globs, one event per line (or per multi-line record), through rename and copytruncate rotation; a position file makes restarts lose and repeat nothing (Flume's TAILDIR source). See docs/taildir.md.",
  implementation: "TaildirSource",
  setsHeaders: [{ nameFrom: "file_header" }, { nameFrom: "group_header" }],
  properties: {
    files: {
      type: { kind: "map", of: { kind: "string" } },
      required: true,
      doc: 'Groups of files to follow: each entry names a group and gives a glob of its files, e.g. `files = { app = "/var/log/app/*.log", web = "/var/log/nginx/{access,error}.log" }`. Globs support `*`, `?`, `[…]`, `{a,b}` and `**`; a relative glob is resolved against the working directory; names starting with a dot match only a pattern that spells the dot. A file matched by two groups is read once, for the first. With copytruncate rotation the glob must not match the rotated copies (they would be read again as new files).',
    },
    position_file: {
      type: { kind: "string" },
      required: true,
      writes: "file",
      doc: "JSON file recording, for every followed file (by device and inode), how far its events reached the channels; replaced atomically (temporary file, fsync, rename). A restart resumes from it, so nothing is lost or repeated. Its directory is created if missing.",
    },
    start_at: {
      type: { kind: "enum", values: ["beginning", "end"] },
      default: "beginning",
      doc: "Where to start in the files found when there is no position file yet (the first start): `beginning` reads what they hold, `end` only what is appended afterwards. Files that appear later, or while the agent is stopped, are always read from their beginning.",
    },
    file_header: {
      type: { kind: "string" },
      doc: "When set, each event gets a header of this name holding the path of its file (as matched by the glob, at the time it was found).",
    },
    group_header: {
      type: { kind: "string" },
      doc: "When set, each event gets a header of this name holding the name of its file's group in `files`.",
    },
    multiline_start: {
      type: { kind: "regex" },
      doc: "When set, a line matching this regular expression starts a new event and the lines that follow it without matching (a stack trace, say) are appended to that event, joined by newlines.",
    },
    multiline_timeout: {
      type: { kind: "duration", min: 1 },
      default: 1_000,
      doc: "With `multiline_start`: an event whose last line is this old, with no line since, is complete and handed on.",
    },
    max_line_length: {
      type: { kind: "size", min: 1 },
      default: 1_048_576,
      doc: "Longest line accepted; a longer line is cut to this length (counted in `LineTruncatedCount`, the rest of it up to its newline is skipped). A multi-line event that would grow past it is handed on and the next line starts a new event (`MultilineSplitCount`).",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events handed to the channel in one transaction.",
    },
    poll_interval: {
      type: { kind: "duration", min: 10 },
      default: 250,
      doc: "How often the globs are matched again and every followed file is checked (new files, growth, rotation, truncation). File-system notifications make reading start sooner; this polling is what is relied on.",
    },
    position_interval: {
      type: { kind: "duration", min: 10 },
      default: 1_000,
      doc: "How often the position file is rewritten while positions move (and once more at stop). After a crash, at most the events of this last interval are read again.",
    },
    idle_close: {
      type: { kind: "duration", min: 0 },
      default: 120_000,
      doc: "A file the globs still match that has not grown for this long is closed, to spare descriptors, and reopened when it grows; `0` keeps such files open.",
    },
    rotate_wait: {
      type: { kind: "duration", min: 0 },
      default: 10_000,
      doc: "A file renamed so that the globs no longer match it (rotated away) stays open and is read as long as it grows; it is closed once read to its end and idle this long. A deleted file is closed as soon as it is read to its end.",
    },
  },
} as const satisfies ComponentSpec;
