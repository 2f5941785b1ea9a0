import type { ComponentSpec } from "../../spec";

export const forwardSinkSpec = {
  role: "sink",
  kind: "forward",
  summary:
    "Sends batches over the Fluent Forward protocol v1 (PackedForward, optionally gzipped, over TCP or TLS) to another tier's `listen` source, Fluentd or Fluent Bit; commits a batch only once every chunk of it was acknowledged. One sink per collector: put several in a `failover` or `load_balance` group.",
  implementation: "ForwardSink",
  properties: {
    to: {
      type: {
        kind: "link",
        to: "listen",
        agree: [
          { rule: "same", here: "port", there: "port", inherit: true },
          { rule: "same", here: "tls", there: "tls" },
          { rule: "both-or-neither", here: "shared_key", there: "shared_key" },
          { rule: "both-or-neither", here: "username", there: "users" },
          { rule: "allowed-by", here: "compression", when: "gzip", there: "allow_gzip" },
        ],
      },
      doc: "The `listen` source of another tier this sink sends to, as `tier.source`: the build checks the two ends against each other (port, TLS, shared key, acknowledgements) and fills in `port`. Without it, `host` and `port` say where to send.",
    },
    host: {
      type: { kind: "string" },
      default: "127.0.0.1",
      doc: "Host name or address of the receiver.",
    },
    port: {
      type: { kind: "integer", min: 1, max: 65_535 },
      default: 24_224,
      doc: "TCP port of the receiver (with `to`, the linked source's port).",
    },
    tag: {
      type: { kind: "string" },
      default: "flowc",
      doc: "Forward tag of events that have no `tag_header` header.",
    },
    tag_header: {
      type: { kind: "string" },
      default: "tag",
      doc: "Header whose value is an event's tag (a `listen` source sets it, so tags survive a hop); events with different tags go in separate chunks, in order.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events taken from the channel and sent per transaction (as one chunk per run of events with the same tag).",
    },
    compression: {
      type: { kind: "enum", values: ["none", "gzip"] },
      default: "none",
      doc: "`gzip` sends CompressedPackedForward chunks (gzip at its fastest level), for slow or metered links.",
    },
    require_ack: {
      type: { kind: "boolean" },
      default: true,
      doc: "Ask the receiver to acknowledge every chunk and commit the batch only when all were (at-least-once delivery). When false a batch is committed once written to the connection, and is lost if the receiver dies before reading it.",
    },
    ack_timeout: {
      type: { kind: "duration", min: 1 },
      default: 30_000,
      doc: "How long to wait for the acknowledgements of a batch; after that the connection is dropped and the batch retried (the receiver may then hold it twice).",
    },
    connect_timeout: {
      type: { kind: "duration", min: 1 },
      default: 10_000,
      doc: "How long connecting may take, TLS and handshake included.",
    },
    keepalive: {
      type: { kind: "boolean" },
      default: true,
      doc: "Keep the connection open between batches (with TCP keep-alive probes); when false, one connection per batch.",
    },
    reconnect_backoff_max: {
      type: { kind: "duration", min: 1 },
      default: 10_000,
      doc: "Longest wait between connection attempts after failures (the wait starts at 250ms and doubles); a batch written during the wait fails at once, so a sink group fails over without waiting.",
    },
    tls: {
      type: { kind: "boolean" },
      default: false,
      doc: "Connect with TLS, verifying the receiver's certificate.",
    },
    tls_ca: {
      requires: [{ property: "tls", equals: true }],
      type: { kind: "string" },
      doc: "PEM file of the CA that signed the receiver's certificate; without it the system's CAs are trusted.",
    },
    tls_cert: {
      requires: [{ property: "tls", equals: true }, "tls_key"],
      type: { kind: "string" },
      doc: "PEM file with this sink's client certificate, for receivers that require one (mutual TLS).",
    },
    tls_key: {
      requires: [{ property: "tls", equals: true }, "tls_cert"],
      type: { kind: "string" },
      doc: "PEM file with the client certificate's private key.",
    },
    tls_servername: {
      requires: [{ property: "tls", equals: true }],
      type: { kind: "string" },
      doc: "Name the receiver's certificate must carry (and the TLS server name sent); defaults to `host`.",
    },
    tls_verify: {
      type: { kind: "boolean" },
      default: true,
      doc: "Verify the receiver's certificate. False accepts any certificate (and logs a warning at start): for tests only.",
    },
    shared_key: {
      type: { kind: "string" },
      secret: true,
      doc: "Shared key for the handshake a receiver with a `shared_key` asks for.",
    },
    username: {
      requires: ["password", "shared_key"],
      type: { kind: "string" },
      doc: "User name for receivers that check users.",
    },
    password: {
      requires: ["username"],
      type: { kind: "string" },
      secret: true,
      doc: "Password of `username`.",
    },
    self_hostname: {
      type: { kind: "string" },
      doc: "Host name this sink gives in the handshake (PING); defaults to the machine's host name.",
    },
  },
} as const satisfies ComponentSpec;
