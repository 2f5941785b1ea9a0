import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { parsePrometheusText, sampleValue } from "../helpers/prometheus-text";
import { buildFlow } from "../helpers/run-cli";
import { connectTcp, endWith, whenClosed } from "../helpers/tcp-client";
import { waitFor } from "../helpers/wait-for";

const work = mkdtempSync(join(tmpdir(), "flowc-e2e-metrics-"));
const binary = join(work, "dist", "quickstart", "quickstart");
let agent: AgentProcess | undefined;
let blocker: Server | undefined;

beforeAll(() => {
  buildFlow("examples/quickstart.flow", join(work, "dist"));
}, 180_000);

afterEach(async () => {
  killAgent(agent);
  agent = undefined;
  const server = blocker;
  blocker = undefined;
  if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

type FlumeJson = Record<string, Record<string, string>>;

/** Starts the quickstart agent with `args` and returns its tcp port and metrics base URL once it is ready. */
async function startQuickstart(args: string[], output: string): Promise<{ port: number; metrics: string }> {
  const port = await freePort();
  agent = startAgent(binary, { env: { QUICKSTART_PORT: String(port), QUICKSTART_OUT: output }, cwd: work, args });
  expect(await waitUntilReady(agent)).toBe(`tcp://127.0.0.1:${port}`);
  const metrics = /msg=ready .*metrics=(http:\/\/127\.0\.0\.1:\d+)(\s|$)/.exec(agent.log())?.[1];
  if (metrics === undefined) throw new Error(`no metrics address in the readiness line:\n${agent.log()}`);
  return { port, metrics };
}

async function get(url: string): Promise<{ status: number; contentType: string | null; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

async function flumeJson(base: string): Promise<FlumeJson> {
  const response = await get(`${base}/metrics.json`);
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as FlumeJson;
}

async function sendLines(port: number, count: number, prefix: string): Promise<void> {
  const socket = await connectTcp(port);
  const lines = Array.from({ length: count }, (_, i) => `${prefix} ${i}\n`).join("");
  await endWith(socket, lines);
  await whenClosed(socket);
}

describe("the agent's metrics and health endpoints", () => {
  it("serves health, Prometheus text and Flume's JSON with the live counters, and still exits 0", async () => {
    const { port, metrics } = await startQuickstart(["--metrics-port", "0"], join(work, "out", "a.log"));

    const health = await get(`${metrics}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "ready" });

    await sendLines(port, 1_234, "hello");
    const delivered = await waitFor("the sink's counter to reach 1234", async () => {
      const document = await flumeJson(metrics);
      return document["SINK.out"]?.EventDrainSuccessCount === "1234" && document;
    });
    expect(Object.keys(delivered).sort()).toEqual(["CHANNEL.buffer", "SINK.out", "SOURCE.lines"]);
    expect(delivered["SOURCE.lines"]).toMatchObject({ Type: "SOURCE", EventReceivedCount: "1234", EventAcceptedCount: "1234", OpenConnectionCount: "0" });
    expect(delivered["CHANNEL.buffer"]).toMatchObject({ Type: "CHANNEL", EventPutSuccessCount: "1234", EventTakeSuccessCount: "1234", ChannelSize: "0", ChannelCapacity: "10000", ChannelFillPercentage: "0.0" });
    expect(delivered["SINK.out"]).toMatchObject({ Type: "SINK", EventDrainSuccessCount: "1234", StopTime: "0" });
    for (const attributes of Object.values(delivered)) {
      for (const value of Object.values(attributes)) expect(typeof value).toBe("string");
    }
    expect(Number(delivered["SOURCE.lines"]?.StartTime)).toBeGreaterThan(Date.now() - 60_000);

    const text = await get(`${metrics}/metrics`);
    expect(text.status).toBe(200);
    expect(text.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheusText(text.body);
    const labels = (component: string) => ({ tier: "quickstart", component });
    expect(sampleValue(families, "flowc_source_event_received_total", labels("lines"))).toBe(1234);
    expect(sampleValue(families, "flowc_channel_event_put_success_total", labels("buffer"))).toBe(1234);
    expect(sampleValue(families, "flowc_channel_size", labels("buffer"))).toBe(0);
    expect(sampleValue(families, "flowc_channel_capacity", labels("buffer"))).toBe(10_000);
    expect(sampleValue(families, "flowc_sink_event_drain_success_total", labels("out"))).toBe(1234);
    expect(families.find((family) => family.name === "flowc_source_event_received_total")?.type).toBe("counter");
    expect(families.find((family) => family.name === "flowc_channel_size")?.type).toBe("gauge");

    const viaQuery = await get(`${metrics}/metrics?format=json`);
    expect(viaQuery.contentType).toBe("application/json;charset=utf-8");
    expect(JSON.parse(viaQuery.body)).toHaveProperty(["SOURCE.lines", "EventReceivedCount"], "1234");
    expect((await get(`${metrics}/nothing`)).status).toBe(404);
    expect((await fetch(`${metrics}/metrics`, { method: "POST", signal: AbortSignal.timeout(5_000) })).status).toBe(405);

    agent?.child.kill("SIGTERM");
    expect(await agent?.exited).toBe(0);
    expect(agent?.log()).toContain("msg=stopped");
    await expect(fetch(`${metrics}/health`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  }, 60_000);

  it("serves Flume's JSON at /metrics with --metrics-format flume", async () => {
    const metricsPort = await freePort();
    const { port, metrics } = await startQuickstart(["--metrics-port", String(metricsPort), "--metrics-address", "127.0.0.1", "--metrics-format", "flume"], join(work, "out", "b.log"));
    expect(metrics).toBe(`http://127.0.0.1:${metricsPort}`);
    await sendLines(port, 10, "x");
    const document = await waitFor("10 events received", async () => {
      const response = await get(`${metrics}/metrics`);
      expect(response.contentType).toBe("application/json;charset=utf-8");
      const parsed = JSON.parse(response.body) as FlumeJson;
      return parsed["SOURCE.lines"]?.EventReceivedCount === "10" && parsed;
    });
    expect(document["CHANNEL.buffer"]?.Type).toBe("CHANNEL");
    agent?.child.kill("SIGTERM");
    expect(await agent?.exited).toBe(0);
  }, 30_000);

  it("reports draining (503) while it drains, still serving the counters until it exits", async () => {
    // /dev/full refuses every write, so the events stay in the channel and the drain lasts its timeout.
    const { port, metrics } = await startQuickstart(["--metrics-port", "0", "--drain-timeout", "3s"], "/dev/full");
    await sendLines(port, 25, "stuck");
    await waitFor("a failed delivery", async () => Number((await flumeJson(metrics))["SINK.out"]?.EventWriteFail) > 0);

    agent?.child.kill("SIGTERM");
    await waitFor("health to report draining", async () => {
      const response = await get(`${metrics}/health`);
      return response.status === 503 && response.body === '{"status":"draining"}';
    });
    const during = await flumeJson(metrics);
    expect(during["CHANNEL.buffer"]?.ChannelSize).toBe("25");
    expect(during["SOURCE.lines"]?.StopTime).not.toBe("0");
    const families = parsePrometheusText((await get(`${metrics}/metrics`)).body);
    expect(sampleValue(families, "flowc_channel_size", { component: "buffer" })).toBe(25);
    expect(sampleValue(families, "flowc_channel_fill_ratio", { component: "buffer" })).toBeCloseTo(0.0025);

    expect(await agent?.exited).toBe(1);
    expect(agent?.log()).toContain("msg=\"events left undelivered when the drain timeout expired\"");
  }, 30_000);

  it("exits 1 with a clear message when the metrics port is taken", async () => {
    const server = createServer();
    blocker = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const taken = (server.address() as { port: number }).port;
    agent = startAgent(binary, { env: { QUICKSTART_PORT: String(await freePort()), QUICKSTART_OUT: join(work, "out", "c.log") }, cwd: work, args: ["--metrics-port", String(taken)] });
    expect(await agent.exited).toBe(1);
    expect(agent.log()).toContain(`the metrics server cannot listen on 127.0.0.1:${taken}: the address is already in use`);
    expect(agent.log()).not.toContain("msg=ready");
    expect(agent.log()).not.toContain("    at ");
  });

  it.each([
    [["--metrics-port", "http"], "--metrics-port expects a port number from 0 to 65535"],
    [["--metrics-port", "9464", "--metrics-format", "xml"], "--metrics-format must be one of prometheus, flume"],
    [["--metrics-format", "flume"], "--metrics-format needs --metrics-port"],
  ])("exits 2 on bad metrics flags: %j", (args, message) => {
    const run = spawnSync(binary, args, { env: {}, encoding: "utf8", timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("lists the metrics flags in --help", () => {
    const help = spawnSync(binary, ["--help"], { env: {}, encoding: "utf8", timeout: 10_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--metrics-port <port>");
    expect(help.stdout).toContain("--metrics-address <addr>");
    expect(help.stdout).toContain("--metrics-format <format>");
  });
});
