import type { ComponentSpec } from "../../spec";
import { resolveTimeZone } from "./timestamps";
import { SYSLOG_HEADERS as H } from "./headers";

export const syslogSourceSpec = {
  role: "source",
  kind: "syslog",
  summary:
    "Receives syslog messages over TCP (newline or RFC 6587 octet-counting framing) and UDP, and parses RFC 5424 and RFC 3164 headers into event headers (Flume's syslogtcp and syslogudp sources); see docs/syslog.md.",
  implementation: "SyslogSource",
  properties: {
    bind: {
      type: { kind: "string" },
      default: "0.0.0.0",
      doc: "Address to listen on; `0.0.0.0` listens on every IPv4 interface.",
    },
    port: {
      type: { kind: "integer", min: 0, max: 65_535 },
      required: true,
      listens: "tcp+udp",
      doc: "Port to listen on, for TCP and UDP alike (0 picks a free port, reported in the readiness log line).",
    },
    protocol: {
      type: { kind: "enum", values: ["tcp", "udp", "both"] },
      default: "both",
      doc: "Transports to listen on. TCP pushes back on senders when a channel is full; UDP cannot, so it holds up to `udp_buffer_size` and then drops (`DatagramDroppedCount`).",
    },
    framing: {
      type: { kind: "enum", values: ["auto", "newline", "octet_counting"] },
      default: "auto",
      doc: "How TCP messages are delimited: `auto` reads a connection as octet-counted (RFC 6587 `LENGTH SP MESSAGE`) when its first bytes are digits, one space and `<`, and as newline-terminated otherwise, and keeps that framing for the connection.",
    },
    max_message_size: {
      type: { kind: "size", min: 64 },
      default: 65_536,
      doc: "Longest message accepted; a longer one is cut to this size, the rest discarded, and it is marked `flume.syslog.status = \"Incomplete\"` (`MessageIncompleteCount`).",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most messages handed to the channel in one transaction.",
    },
    keep_fields: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, the body is the whole message as received, PRI and header included (Flume's `keepFields = all`); when false it is the message text (RFC 5424 MSG, or RFC 3164 content after the tag). Headers are set either way.",
    },
    timezone: {
      type: { kind: "string" },
      default: "local",
      validate: (value) => (typeof value === "string" && resolveTimeZone(value) === undefined ? "not a time zone: `local`, `UTC`, an offset such as `+02:00`, or an IANA name such as `Europe/Paris`" : undefined),
      doc: "Time zone of RFC 3164 timestamps, which carry none (and of RFC 3339 ones sent without an offset): `local` (the agent's), `UTC`, an offset such as `+02:00`, or an IANA name such as `Europe/Paris`. An unknown name stops the agent at start (exit code 78).",
    },
    client_ip_header: {
      type: { kind: "string" },
      doc: "When set, the header that receives the sender's IP address (Flume's `clientIPHeader`).",
    },
    max_connections: {
      type: { kind: "integer", min: 1 },
      doc: "TCP only: most connections open at once; a connection beyond it is closed at once (counted in `ConnectionRejectedCount`, logged as a warning). Unlimited when not set.",
    },
    udp_buffer_size: {
      type: { kind: "size", min: 1 },
      default: 8_388_608,
      doc: "UDP only: most message bytes held while the channel is full (each message counts 256 bytes more than its body); datagrams that arrive when it is full are dropped and counted in `DatagramDroppedCount`.",
    },
    udp_receive_buffer_size: {
      type: { kind: "size", min: 1 },
      doc: "UDP only: the socket's receive buffer (SO_RCVBUF), for bursts that arrive faster than the agent reads; the kernel caps it at `net.core.rmem_max`. Unset: the system default.",
    },
  },
  setsHeaders: [
    { name: H.facility },
    { name: H.severity },
    { name: H.timestamp },
    { name: H.host },
    { name: H.app },
    { name: H.procid },
    { name: H.msgid },
    { name: H.structuredData },
    { name: H.version },
    { name: H.status },
    { nameFrom: "client_ip_header" },
  ],
} as const satisfies ComponentSpec;
