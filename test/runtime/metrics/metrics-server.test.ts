import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import { ChannelCounter, SinkCounter, SourceCounter } from "../../../runtime/metrics/counters";
import { Health } from "../../../runtime/metrics/health";
import { FLUME_JSON_CONTENT_TYPE, type MetricsFormat } from "../../../runtime/metrics/metrics-routes";
import { MetricsServer } from "../../../runtime/metrics/metrics-server";
import { monitoredComponents, type MonitoredComponent } from "../../../runtime/metrics/monitored-components";
import { PROMETHEUS_CONTENT_TYPE } from "../../../runtime/metrics/prometheus-text";
import { httpRequest } from "../../helpers/http-request";
import { parsePrometheusText, sampleValue } from "../../helpers/prometheus-text";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { connectTcp, endWith, whenClosed } from "../../helpers/tcp-client";
import { withTimeout } from "../../helpers/with-timeout";

const servers: MetricsServer[] = [];
const blockers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const blocker of blockers.splice(0)) await new Promise<void>((resolve) => blocker.close(() => resolve()));
});

function components(): MonitoredComponent[] {
  const source = new SourceCounter();
  source.EventReceivedCount = 5;
  const channel = new ChannelCounter(10);
  channel.ChannelSize = 5;
  return monitoredComponents({
    sources: [{ name: "r1", counter: source }],
    channels: [{ name: "c1", counter: channel }],
    sinkRunners: [{ sink: { name: "k1", counter: new SinkCounter() } }],
  });
}

async function startServer(options: { format?: MetricsFormat; health?: Health; components?: MonitoredComponent[]; log?: ReturnType<typeof silentLogger> } = {}) {
  const health = options.health ?? new Health();
  const server = new MetricsServer({ address: "127.0.0.1", port: 0, tier: "edge", format: options.format ?? "prometheus", health, components: options.components ?? components() });
  servers.push(server);
  const url = await server.start(options.log ?? silentLogger());
  const port = Number(/^http:\/\/127\.0\.0\.1:(\d+)$/.exec(url)?.[1]);
  expect(port).toBeGreaterThan(0);
  return { server, health, port };
}

/** Sends `raw` bytes as a request and returns everything the server answers before it closes. */
async function rawExchange(port: number, raw: string): Promise<string> {
  const socket = await connectTcp(port);
  let answer = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
  socket.on("error", () => undefined);
  await endWith(socket, raw).catch(() => undefined);
  await withTimeout(whenClosed(socket), 5_000, "the server to close the connection");
  return answer;
}

describe("MetricsServer", () => {
  it("serves Prometheus text at /metrics", async () => {
    const { port } = await startServer();
    const response = await httpRequest(port, "GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(Number(response.headers["content-length"])).toBe(Buffer.byteLength(response.body));
    const families = parsePrometheusText(response.body);
    expect(sampleValue(families, "flowc_source_event_received_total", { tier: "edge", component: "r1" })).toBe(5);
    expect(sampleValue(families, "flowc_channel_fill_ratio", { tier: "edge", component: "c1" })).toBe(0.5);
  });

  it.each(["/metrics.json", "/metrics?format=json", "/metrics?format=flume"])("serves Flume's JSON at %s", async (path) => {
    const { port } = await startServer();
    const response = await httpRequest(port, "GET", path);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe(FLUME_JSON_CONTENT_TYPE);
    const document = JSON.parse(response.body) as Record<string, Record<string, string>>;
    expect(Object.keys(document)).toEqual(["SOURCE.r1", "CHANNEL.c1", "SINK.k1"]);
    expect(document["CHANNEL.c1"]).toMatchObject({ Type: "CHANNEL", ChannelSize: "5", ChannelFillPercentage: "50.0" });
  });

  it("serves Flume's JSON at plain /metrics with format flume, Prometheus text on request", async () => {
    const { port } = await startServer({ format: "flume" });
    const json = await httpRequest(port, "GET", "/metrics");
    expect(json.headers["content-type"]).toBe(FLUME_JSON_CONTENT_TYPE);
    expect(JSON.parse(json.body)).toHaveProperty(["SOURCE.r1", "EventReceivedCount"], "5");
    const text = await httpRequest(port, "GET", "/metrics?format=prometheus");
    expect(text.headers["content-type"]).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(parsePrometheusText(text.body).length).toBeGreaterThan(0);
  });

  it("answers 400 to an unknown format", async () => {
    const { port } = await startServer();
    const response = await httpRequest(port, "GET", "/metrics?format=xml");
    expect(response.status).toBe(400);
    expect(response.body).toContain("format must be json or prometheus");
  });

  it("reports health: 503 while starting, 200 when ready, 503 while draining and stopped", async () => {
    const { port, health } = await startServer();
    const expectHealth = async (status: number, state: string): Promise<void> => {
      const response = await httpRequest(port, "GET", "/health");
      expect(response.status).toBe(status);
      expect(response.headers["content-type"]).toBe(FLUME_JSON_CONTENT_TYPE);
      expect(JSON.parse(response.body)).toEqual({ status: state });
    };
    await expectHealth(503, "starting");
    health.moveTo("ready");
    await expectHealth(200, "ready");
    health.moveTo("draining");
    await expectHealth(503, "draining");
    health.moveTo("stopped");
    await expectHealth(503, "stopped");
  });

  it.each(["/metrics", "/metrics.json", "/health"])("answers HEAD %s with GET's headers and no body", async (path) => {
    const { port, health } = await startServer();
    health.moveTo("ready");
    const get = await httpRequest(port, "GET", path);
    const head = await httpRequest(port, "HEAD", path);
    expect(head.status).toBe(get.status);
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
    expect(head.body).toBe("");
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])("answers %s on every endpoint with 405 and Allow", async (method) => {
    const { port } = await startServer();
    for (const path of ["/metrics", "/metrics.json", "/health"]) {
      const response = await httpRequest(port, method, path);
      expect(response.status, path).toBe(405);
      expect(response.headers.allow).toBe("GET, HEAD");
    }
  });

  it.each(["/", "/metrics/", "/Metrics", "/healthz", "/metrics.json/x", "/%zz", "/../metrics.jso"])("answers 404 to GET %s", async (path) => {
    const { port } = await startServer();
    const response = await httpRequest(port, "GET", path);
    expect(response.status).toBe(404);
    expect(response.body).toContain("/metrics, /metrics.json and /health");
  });

  it("answers 404 to other methods on other paths", async () => {
    const { port } = await startServer();
    expect((await httpRequest(port, "POST", "/nothing")).status).toBe(404);
  });

  it("takes an absolute-form request target by its path", async () => {
    const { port } = await startServer();
    const answer = await rawExchange(port, "GET http://example.invalid/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('{"status":"starting"}');
  });

  it("survives malformed requests and oversized headers, and keeps serving", async () => {
    const { port } = await startServer();
    expect(await rawExchange(port, "this is not http\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rawExchange(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    expect(await rawExchange(port, "GET /health HTTP/1.1\r\nContent-Length: nope\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    const socket = await connectTcp(port);
    socket.destroy(); // a client that goes away at once
    expect((await httpRequest(port, "GET", "/metrics")).status).toBe(200);
  });

  it("answers 500 and logs when rendering fails, and keeps serving", async () => {
    class Broken extends SourceCounter {
      get Exploding(): number {
        throw new Error("boom");
      }
    }
    const { log, lines } = recordingLogger();
    const broken = monitoredComponents({ sources: [{ name: "r1", counter: new Broken() }], channels: [], sinkRunners: [] });
    const { port } = await startServer({ components: broken, log });
    const response = await httpRequest(port, "GET", "/metrics");
    expect(response.status).toBe(500);
    expect(response.body).toBe("internal error\n");
    expect(lines.join("")).toMatch(/level=error msg="metrics request failed" component=metrics method=GET url=\/metrics error=.*boom/);
    expect((await httpRequest(port, "GET", "/health")).status).toBe(503);
  });

  it("fails with a UserFacingError when the port is taken", async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    const server = new MetricsServer({ address: "127.0.0.1", port, tier: "t", format: "prometheus", health: new Health(), components: [] });
    servers.push(server);
    const error = await server.start(silentLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).message).toBe(`the metrics server cannot listen on 127.0.0.1:${port}: the address is already in use`);
    expect((error as UserFacingError).exitCode).toBe(1);
  });

  it("closes with a keep-alive connection open, and closing twice is harmless", async () => {
    const { server, port } = await startServer();
    const socket = await connectTcp(port);
    socket.on("error", () => undefined);
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await withTimeout(new Promise((resolve) => socket.once("data", resolve)), 5_000, "the health answer");
    await withTimeout(server.close(), 5_000, "the server to close");
    await withTimeout(whenClosed(socket), 5_000, "the keep-alive connection to close");
    await server.close();
    await expect(httpRequest(port, "GET", "/health")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("reports an IPv6 address in brackets", async () => {
    const server = new MetricsServer({ address: "::1", port: 0, tier: "t", format: "prometheus", health: new Health(), components: [] });
    servers.push(server);
    const url = await server.start(silentLogger()).catch(() => undefined);
    // Hosts without IPv6 loopback cannot listen on ::1; the URL format is what is checked.
    if (url !== undefined) expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/);
  });
});
