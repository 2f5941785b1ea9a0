import type { ComponentSpec } from "../../spec";
import { nameProblem, pathProblem, roundDownProblem, timeZoneProblem } from "./validate";

export const filesSinkSpec = {
  role: "sink",
  kind: "files",
  summary:
    "Writes events to files on a local or mounted file system, as Flume's HDFS sink does: a path template with Flume's escapes (`%Y`, `%{host}`, …) picks each event's file; files can be rolled by size, event count and time, and compressed. By default it appends every body and a newline to one file. See files-sink.md.",
  implementation: "FilesSink",
  properties: {
    path: {
      type: { kind: "string" },
      required: true,
      writes: "file",
      readsHeaders: "template",
      validate: pathProblem,
      doc: "File to write, relative to the agent's working directory; missing directories are created. Escapes make it a template, one file per distinct expansion: `%{name}` a header (an event without it gets an empty string there, as in Flume; `flowc check` warns when nothing upstream sets it), `%Y` `%m` `%d` `%H` `%M` `%S` … a part of the event's time, `%[localhost]` `%[IP]` `%[FQDN]` this host, `%%` a `%` (files-sink.md lists them). Without a roll setting the sink appends to this file; with one it writes a series of files `<path>.<counter><suffix>`.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events taken from the channel and written per transaction.",
    },
    format: {
      type: { kind: "enum", values: ["text", "json"] },
      default: "text",
      doc: "`text`: each event's body and a newline (Flume's TEXT serializer). `json`: one JSON object per line, `{\"headers\":{…},\"body\":\"…\"}`, the body as UTF-8 text; bytes that are not valid UTF-8 are written as `\\udc80`–`\\udcff` (Python's surrogateescape).",
    },
    compression: {
      type: { kind: "enum", values: ["none", "gzip"] },
      default: "none",
      doc: "`gzip`: each batch is written as one gzip member, so every acknowledged batch can be read with `zcat` even after a crash; rolled files get `.gz` after their suffix.",
    },
    sync: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, each batch is flushed to disk (fdatasync) before the channel transaction commits, and directories after a file is created or renamed, so acknowledged events survive power loss; when false they are handed to the operating system, which survives an agent crash.",
    },
    roll_size: {
      type: { kind: "size" },
      default: 0,
      doc: "Start a new file before the one being written would exceed this many bytes of events (counted before compression); a single larger event gets a file of its own. `0B`: no limit.",
    },
    roll_count: {
      type: { kind: "integer", min: 0 },
      default: 0,
      doc: "Start a new file after this many events. 0: no limit.",
    },
    roll_interval: {
      type: { kind: "duration" },
      default: 0,
      doc: "Finish a file this long after it was opened. `0s`: never.",
    },
    idle_timeout: {
      type: { kind: "duration" },
      default: 0,
      doc: "Close a file that received nothing for this long (finishing it when rolling); the next event for it opens a new one (or reopens it when appending). `0s`: never.",
    },
    in_use_suffix: {
      type: { kind: "string" },
      default: ".tmp",
      validate: nameProblem,
      doc: "When rolling, a file is written under its name plus this suffix and renamed when finished, so readers never see a file being written. Files left with it by a crash are renamed when the sink starts again.",
    },
    in_use_prefix: {
      type: { kind: "string" },
      default: "",
      validate: nameProblem,
      doc: "When rolling, put before the file name while it is written (`.` or `_` hides it from many tools).",
    },
    suffix: {
      type: { kind: "string" },
      default: "",
      validate: nameProblem,
      doc: "When rolling, put after the counter in each file's name, e.g. `.log`.",
    },
    max_open_files: {
      type: { kind: "integer", min: 1 },
      default: 5_000,
      doc: "Most files open at once; opening another closes (and finishes) the one written least recently.",
    },
    use_local_time: {
      type: { kind: "boolean" },
      default: false,
      doc: "Time escapes use the agent's clock when the event is written, instead of the event's `timestamp_header`.",
    },
    timestamp_header: {
      type: { kind: "string" },
      default: "timestamp",
      readsHeaders: "name",
      doc: "Header holding the event's time in milliseconds since the Unix epoch (set by the `timestamp` interceptor). An event without it, or with a value that is not a number, uses the agent's clock (Flume fails the batch) and is counted in `TimestampFallbackCount`; `flowc check` warns when this is written and nothing upstream sets the header.",
    },
    round_down: {
      type: { kind: "duration" },
      default: 0,
      validate: roundDownProblem,
      doc: "Round the time down before the escapes use it (Flume's `round`): `10m` puts 11:54:34 in the 11:50:00 bucket. Whole seconds up to `60s`, minutes up to `60m` or hours up to `24h`; `%t` is never rounded. `0s`: no rounding.",
    },
    time_zone: {
      type: { kind: "string" },
      default: "",
      validate: timeZoneProblem,
      doc: "IANA time zone of the time escapes, e.g. `UTC` or `Europe/Paris`. Empty: the agent's own zone (its `TZ` environment variable, else the system's).",
    },
  },
} as const satisfies ComponentSpec;
