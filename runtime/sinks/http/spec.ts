import type { ComponentSpec } from "../../spec";

export const httpSinkSpec = {
  role: "sink",
  kind: "http",
  summary:
    "Sends each batch as one HTTP request (NDJSON or a JSON array of `{headers, body}` objects, or text), over a kept-alive connection; the batch is committed only once the server answered 2xx. See docs/http.md.",
  implementation: "HttpSink",
  properties: {
    url: {
      type: { kind: "string" },
      required: true,
      doc: "Where batches are sent: an `http://` or `https://` URL. Redirects are not followed.",
    },
    method: {
      type: { kind: "enum", values: ["POST", "PUT"] },
      default: "POST",
      doc: "The request method.",
    },
    format: {
      type: { kind: "enum", values: ["ndjson", "json_array", "text"] },
      default: "ndjson",
      doc: "The request body: `ndjson`, one `{\"headers\": {…}, \"body\": \"…\"}` object per line (Content-Type `application/x-ndjson`); `json_array`, a JSON array of them (`application/json`, what Flume's HTTP source reads); `text`, each event's body and a newline, headers left out (`text/plain`). JSON bodies are the event's bytes read as UTF-8.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events taken from the channel and sent per request.",
    },
    headers: {
      type: { kind: "map", of: { kind: "string" } },
      secret: true,
      doc: "Extra request headers, e.g. `{ Authorization = env(\"INGEST_AUTH\") }`; may replace Content-Type, not the headers the sink manages (Content-Length, Content-Encoding, Transfer-Encoding, Host, Connection). Never logged.",
    },
    compression: {
      type: { kind: "enum", values: ["none", "gzip"] },
      default: "none",
      doc: "`gzip` compresses each request body (`Content-Encoding: gzip`).",
    },
    timeout: {
      type: { kind: "duration", min: 1 },
      default: 30_000,
      doc: "Longest a request may take, from sending it to the end of the answer; then it is abandoned and the batch retried.",
    },
    connect_timeout: {
      type: { kind: "duration", min: 1 },
      default: 5_000,
      doc: "Longest wait for a new connection (TCP and TLS handshake).",
    },
    on_4xx: {
      type: { kind: "enum", values: ["fail", "drop"] },
      default: "fail",
      doc: "What a 4xx answer (other than 408 and 429, which are retried) does to the batch: `fail` keeps it in the channel and retries it, so a server that keeps refusing stops the flow until it is fixed; `drop` discards it, counts it in `BatchDropCount` and `EventDropCount` and logs a warning.",
    },
    max_backoff: {
      type: { kind: "duration", min: 1 },
      default: 30_000,
      doc: "Longest wait before retrying a failed batch: waits grow from 100ms, doubling with each failure in a row, up to this. A `Retry-After` in a 429 or 503 answer sets the wait instead (up to this).",
    },
    tls_ca: {
      type: { kind: "string" },
      doc: "Path of a CA bundle (PEM) that `https://` servers' certificates are checked against, instead of the public CAs built into the agent (Mozilla's list, as in Node.js).",
    },
    tls_cert: {
      requires: ["tls_key"],
      type: { kind: "string" },
      doc: "Path of a client certificate (PEM) to present, for servers that require mutual TLS; with `tls_key`.",
    },
    tls_key: {
      requires: ["tls_cert"],
      type: { kind: "string" },
      doc: "Path of the private key (PEM) of `tls_cert`.",
    },
    tls_verify: {
      type: { kind: "boolean" },
      default: true,
      doc: "When false, the server's certificate is not checked (anyone on the path can read and change the traffic); a warning is logged at start.",
    },
  },
} as const satisfies ComponentSpec;
