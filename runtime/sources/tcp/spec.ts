import { nonEmpty, type ComponentSpec } from "../../spec";

export const tcpSourceSpec = {
  role: "source",
  kind: "tcp",
  summary:
    "Listens on a TCP port and turns each line (newline-terminated, or ended by `delimiter`) of every connection into one event (Flume's netcat source). While a channel is full it stops reading the connections, so TCP flow control slows the senders down.",
  implementation: "TcpSource",
  properties: {
    bind: {
      type: { kind: "string" },
      default: "0.0.0.0",
      doc: "Address to listen on; `0.0.0.0` listens on every IPv4 interface.",
    },
    port: {
      type: { kind: "integer", min: 0, max: 65_535 },
      required: true,
      listens: "tcp",
      doc: "TCP port to listen on (0 picks a free port, reported in the readiness log line).",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most lines handed to the channel in one transaction.",
    },
    max_line_length: {
      type: { kind: "size", min: 1 },
      default: 1_048_576,
      doc: "Longest line accepted, in bytes without the delimiter. What happens to a longer one is `long_lines`; while it arrives only its first `max_line_length` bytes are held, so a sender that never ends its line cannot exhaust memory.",
    },
    long_lines: {
      type: { kind: "enum", values: ["truncate", "discard"] },
      default: "truncate",
      doc: "A line longer than `max_line_length`: `truncate` delivers its first `max_line_length` bytes and discards the rest up to its delimiter (counted in `LineTruncatedCount`); `discard` leaves the whole line out (counted in `LineDiscardedCount`). The first one on each connection is logged as a warning, with the sender's address.",
    },
    delimiter: {
      type: { kind: "string" },
      default: "\n",
      validate: nonEmpty,
      doc: "The bytes that end a line, not part of the event: e.g. `\"\\r\\n\"` for CRLF, `\"\\u{0}\"` for NUL-delimited input. Must not be empty. A last line without delimiter is delivered when its sender closes the connection.",
    },
    max_connections: {
      type: { kind: "integer", min: 1 },
      doc: "Most connections open at once, against running out of file descriptors or memory; a connection beyond it is reset at once (a TCP RST, so its sender sees an error; counted in `ConnectionRejectedCount`, logged as a warning when the limit is first reached). Unlimited when not set.",
    },
  },
} as const satisfies ComponentSpec;
