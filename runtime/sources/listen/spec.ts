import type { ComponentSpec } from "../../spec";

export const listenSourceSpec = {
  role: "source",
  kind: "listen",
  summary:
    "Receives events over the Fluent Forward protocol v1 (msgpack over TCP or TLS): from another tier's `forward` sink, Fluentd, Fluent Bit or a fluent-logger library. Acknowledges a chunk only once its events are committed to the channels.",
  implementation: "ListenSource",
  acknowledges: true,
  setsHeaders: [{ nameFrom: "tag_header", defaultName: "tag" }, { name: "timestamp" }, { name: "timestamp_ns" }, { any: true }],
  properties: {
    bind: {
      type: { kind: "string" },
      default: "0.0.0.0",
      doc: "Address to listen on; `0.0.0.0` listens on every IPv4 interface.",
    },
    port: {
      type: { kind: "integer", min: 0, max: 65_535 },
      default: 24_224,
      listens: "tcp+udp",
      doc: "Port to listen on, for TCP (the events) and UDP (heartbeats, answered as the protocol asks). 0 picks a free port, reported in the readiness log line.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events put into the channels in one transaction; a chunk with more events is put in several, and acknowledged after the last.",
    },
    tag_header: {
      type: { kind: "string" },
      default: "tag",
      doc: "Header that receives each event's Forward tag.",
    },
    shared_key: {
      type: { kind: "string" },
      secret: true,
      doc: "When set, every connection must complete the handshake (HELO, PING, PONG) proving it knows this key before it may send events; a wrong key closes the connection.",
    },
    users: {
      requires: ["shared_key"],
      type: { kind: "map", of: { kind: "string" } },
      secret: true,
      doc: "User names and their passwords, e.g. `{ edge = env(\"EDGE_PASSWORD\") }`: when set (with `shared_key`), the handshake also checks the sender's user name and password.",
    },
    self_hostname: {
      type: { kind: "string" },
      doc: "Host name this source gives in the handshake (PONG); defaults to the machine's host name.",
    },
    tls: {
      requires: ["tls_cert", "tls_key"],
      type: { kind: "boolean" },
      default: false,
      doc: "Accept TLS connections only (with `tls_cert` and `tls_key`).",
    },
    tls_cert: {
      requires: [{ property: "tls", equals: true }],
      type: { kind: "string" },
      doc: "PEM file with the server certificate (and its chain), read at start.",
    },
    tls_key: {
      requires: [{ property: "tls", equals: true }],
      type: { kind: "string" },
      doc: "PEM file with the server certificate's private key, read at start.",
    },
    tls_client_ca: {
      requires: [{ property: "tls", equals: true }],
      type: { kind: "string" },
      doc: "PEM file of the CA that signs client certificates: when set, only clients presenting a certificate it signed may connect (mutual TLS).",
    },
    max_message_size: {
      type: { kind: "size", min: 1_024 },
      default: 16 * 1_048_576,
      doc: "Largest message accepted, as received and once decompressed; a connection that sends a larger one is closed (its sender retries a chunk that was not acknowledged).",
    },
    max_connections: {
      type: { kind: "integer", min: 1 },
      default: 1_024,
      doc: "Most connections open at once; further ones are closed at once and counted.",
    },
    allow_gzip: {
      type: { kind: "boolean" },
      default: true,
      doc: "Accept CompressedPackedForward (gzip) messages; when false such a message closes the connection.",
    },
  },
} as const satisfies ComponentSpec;
