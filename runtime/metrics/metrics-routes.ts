import { renderFlumeJson } from "./flume-json";
import type { Health } from "./health";
import type { MonitoredComponent } from "./monitored-components";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "./prometheus-text";

/** What plain `GET /metrics` returns: Prometheus text, or Flume's JSON (as Flume's HTTP monitoring does). */
export const METRICS_FORMATS = ["prometheus", "flume"] as const;
export type MetricsFormat = (typeof METRICS_FORMATS)[number];

/** Flume's `HTTPMetricsServer` content type, byte for byte. */
export const FLUME_JSON_CONTENT_TYPE = "application/json;charset=utf-8";
const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
const ALLOWED_METHODS = "GET, HEAD";

/** What the endpoints read, all of it fixed when the agent starts. */
export interface MetricsContext {
  readonly tier: string;
  readonly components: readonly MonitoredComponent[];
  readonly health: Health;
  readonly format: MetricsFormat;
}

export interface MetricsResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent for GET; a HEAD response carries the same headers and no body. */
  readonly body: string;
}

type Representation = "prometheus" | "json";

/**
 * The endpoints, as a function of the request line (no sockets, so it is tested directly):
 * - `/metrics`: Prometheus text, or Flume's JSON with `--metrics-format flume`; `?format=json` (or
 *   `flume`) or `?format=prometheus` picks one explicitly, another value is a 400;
 * - `/metrics.json`: Flume's JSON;
 * - `/health`: 200 `{"status":"ready"}` when ready, else 503 with the state.
 * GET and HEAD only (405 otherwise); any other path is 404. Counters are read only here, per request.
 */
export function respond(method: string | undefined, rawUrl: string | undefined, context: MetricsContext): MetricsResponse {
  let url: URL;
  try {
    url = new URL(rawUrl ?? "/", "http://agent");
  } catch {
    return text(400, "bad request: the URL cannot be parsed\n");
  }
  const path = url.pathname;
  if (path !== "/metrics" && path !== "/metrics.json" && path !== "/health") {
    return text(404, "not found: the agent serves /metrics, /metrics.json and /health\n");
  }
  if (method !== "GET" && method !== "HEAD") {
    return text(405, `method not allowed: use ${ALLOWED_METHODS}\n`, { Allow: ALLOWED_METHODS });
  }
  if (path === "/health") {
    const report = context.health.report();
    return reply(report.statusCode, FLUME_JSON_CONTENT_TYPE, report.body);
  }
  let representation: Representation = context.format === "flume" ? "json" : "prometheus";
  if (path === "/metrics.json") representation = "json";
  else {
    const format = url.searchParams.get("format");
    if (format === "json" || format === "flume") representation = "json";
    else if (format === "prometheus") representation = "prometheus";
    else if (format !== null) return text(400, "bad request: format must be json or prometheus\n");
  }
  return representation === "json"
    ? reply(200, FLUME_JSON_CONTENT_TYPE, renderFlumeJson(context.components))
    : reply(200, PROMETHEUS_CONTENT_TYPE, renderPrometheus(context.tier, context.components));
}

function reply(statusCode: number, contentType: string, body: string, extraHeaders: Record<string, string> = {}): MetricsResponse {
  return {
    statusCode,
    headers: { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(body)), "Cache-Control": "no-store", ...extraHeaders },
    body,
  };
}

function text(statusCode: number, body: string, extraHeaders: Record<string, string> = {}): MetricsResponse {
  return reply(statusCode, TEXT_CONTENT_TYPE, body, extraHeaders);
}
