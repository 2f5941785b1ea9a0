import type { ComponentSpec } from "../../spec";

export const tcpSourceSpec = {
  role: "source",
  kind: "tcp",
  summary: "Listens on a TCP port and turns each newline-terminated line into one event (Flume's netcat source).",
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
      doc: "Longest line accepted; a longer line is cut to this length, the rest up to its newline is discarded, and `LineTruncatedCount` counts it.",
    },
  },
} as const satisfies ComponentSpec;
