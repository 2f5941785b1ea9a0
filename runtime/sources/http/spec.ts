import type { ComponentSpec } from "../../spec";

export const httpSourceSpec = {
  role: "source",
  kind: "http",
  summary:
    "Accepts events in HTTP POST requests: a JSON array of `{headers, body}` objects (Flume's JSON handler), NDJSON of the same objects, or text with one event per line. A request is answered 200 only once its channels committed all of its events; see docs/http.md.",
  implementation: "HttpSource",
  setsHeaders: [{ any: true }],
  acknowledges: true,
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
    path: {
      type: { kind: "string" },
      default: "/",
      doc: "The URL path events are posted to, matched exactly (a query string is ignored); other paths are answered 404, other methods than POST 405.",
    },
    format: {
      type: { kind: "enum", values: ["auto", "json", "ndjson", "text"] },
      default: "auto",
      doc: "How a request body is read: `json`, a JSON array of `{\"headers\": {…}, \"body\": \"…\"}` objects; `ndjson`, one such object per line; `text`, one event per line, its body the line. `auto` picks by the request's Content-Type: `application/json` is `json`, `application/x-ndjson` (or `application/ndjson`, `application/jsonl`) is `ndjson`, `text/plain` or none is `text`; others are answered 415.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events one request may carry: a request is one channel transaction, all or nothing, so a request with more events is answered 413 (nothing of it is accepted). It may not exceed the channel's `transaction_capacity`.",
    },
    max_body_size: {
      type: { kind: "size", min: 1 },
      default: 10_485_760,
      doc: "Largest request body, after decompression; a larger one is answered 413 (nothing of it is accepted).",
    },
    bearer_token: {
      type: { kind: "string" },
      secret: true,
      doc: "When set, a request must carry `Authorization: Bearer <token>`, or it is answered 401 with `WWW-Authenticate: Bearer`. Compared in constant time.",
    },
    tls_cert: {
      requires: ["tls_key"],
      type: { kind: "string" },
      doc: "Path of the server's certificate (PEM, the chain after it); with `tls_key`, the source speaks HTTPS. Read when the agent starts.",
    },
    tls_key: {
      requires: ["tls_cert"],
      type: { kind: "string" },
      doc: "Path of the private key (PEM) of `tls_cert`.",
    },
    tls_client_ca: {
      requires: ["tls_cert"],
      type: { kind: "string" },
      doc: "Path of a CA bundle (PEM): when set (with `tls_cert`), clients must present a certificate it signed (mutual TLS); others fail the handshake.",
    },
    request_timeout: {
      type: { kind: "duration", min: 1 },
      default: 30_000,
      doc: "Longest time a client may take to send a whole request (headers and body); a slower one is answered 408 and disconnected.",
    },
  },
} as const satisfies ComponentSpec;
