import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { ndjsonEvents, startReceiver, type HttpReceiver, type ReceivedRequest } from "../helpers/http-receiver";
import { buildFlow } from "../helpers/run-cli";
import { selfSigned, type SelfSigned } from "../helpers/tls-certs";
import { waitFor } from "../helpers/wait-for";

// One binary for every test here: test/e2e/flows/http.flow, tier `relay` (see the comment in it).
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-http-"));
const binary = join(work, "dist", "relay", "relay");
const TOKEN = "ingest-token-0123";
const UPSTREAM_AUTH = "Bearer upstream-secret-4567";
let certs: { server: SelfSigned; client: SelfSigned; upstream: SelfSigned; relayClient: SelfSigned };
let agent: AgentProcess | undefined;
const receivers: HttpReceiver[] = [];

beforeAll(() => {
  buildFlow("test/e2e/flows/http.flow", join(work, "dist"));
  // Made with `openssl req -x509`: the agent's server certificate, a client's, the upstream server's
  // (which the agent's `out_tls` sink trusts with tls_ca) and the one the agent presents upstream.
  certs = { server: selfSigned(work, "server"), client: selfSigned(work, "client"), upstream: selfSigned(work, "upstream"), relayClient: selfSigned(work, "relay-client") };
}, 180_000);

afterEach(async () => {
  killAgent(agent);
  agent = undefined;
  for (const receiver of receivers.splice(0)) await receiver.close();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Relay {
  readonly plain: string;
  readonly secure: string;
  readonly metrics: string;
  readonly out: HttpReceiver;
  readonly outTls: HttpReceiver;
}

/** Starts the relay agent between two real receiving servers; resolves once it logged that it is ready. */
async function startRelay(): Promise<Relay> {
  const out = await startReceiver();
  const outTls = await startReceiver({ tls: { ...certs.upstream, clientCa: certs.relayClient.cert } });
  receivers.push(out, outTls);
  const [plainPort, securePort] = [await freePort(), await freePort()];
  agent = startAgent(binary, {
    cwd: work,
    args: ["--metrics-port", "0"],
    env: {
      PLAIN_PORT: String(plainPort),
      INGEST_TOKEN: TOKEN,
      SECURE_PORT: String(securePort),
      TLS_CERT: certs.server.cert,
      TLS_KEY: certs.server.key,
      TLS_CLIENT_CA: certs.client.cert,
      OUT_URL: `${out.url}/v1/events`,
      OUT_AUTH: UPSTREAM_AUTH,
      OUT_TLS_URL: `${outTls.url}/bulk`,
      OUT_TLS_CA: certs.upstream.cert,
      OUT_TLS_CERT: certs.relayClient.cert,
      OUT_TLS_KEY: certs.relayClient.key,
    },
  });
  const running = agent;
  const metrics = await waitFor("the agent's readiness line", () => {
    if (running.child.exitCode !== null) throw new Error(`the agent exited before it was ready:\n${running.log()}`);
    return /msg=ready .*metrics=(http:\/\/127\.0\.0\.1:\d+)/.exec(running.log())?.[1];
  });
  expect(running.log()).toContain(`listen="http://127.0.0.1:${plainPort}/ingest,https://127.0.0.1:${securePort}/ingest"`);
  return { plain: `http://127.0.0.1:${plainPort}/ingest`, secure: `https://127.0.0.1:${securePort}/ingest`, metrics, out, outTls };
}

/** Stops the agent with SIGTERM; it must exit 0 (everything it accepted delivered). */
async function stopRelay(): Promise<string> {
  const running = agent;
  if (running === undefined) throw new Error("no agent running");
  running.child.kill("SIGTERM");
  expect(await running.exited).toBe(0);
  agent = undefined;
  return running.log();
}

interface CurlResult {
  readonly exitCode: number;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Runs `curl -sS -i ARGS… URL` and reads the final answer (after any `100 Continue`). */
function curl(url: string, args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "-i", "--max-time", "10", ...args, url], { encoding: "utf8" }, (error, stdout) => {
      const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      const blocks = stdout.split("\r\n\r\n");
      let index = 0;
      while (/^HTTP\/1\.1 100 /.test(blocks[index] ?? "")) index++;
      const head = blocks[index] ?? "";
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ exitCode, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: blocks.slice(index + 1).join("\r\n\r\n") });
    });
  });
}

const AUTH = ["-H", `Authorization: Bearer ${TOKEN}`];
const JSON_TYPE = ["-H", "Content-Type: application/json"];
const TEXT_TYPE = ["-H", "Content-Type: text/plain"];

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

async function flumeJson(metrics: string): Promise<Record<string, Record<string, string>>> {
  const response = await fetch(`${metrics}/metrics.json`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as Record<string, Record<string, string>>;
}

function accepted(requests: readonly ReceivedRequest[]): ReceivedRequest[] {
  return requests.filter((request) => request.status === 200);
}

describe("the http source and sink in a built agent", () => {
  it("relays JSON, NDJSON, text and gzipped text posted with curl to an HTTP server, as NDJSON with the sink's headers", async () => {
    const relay = await startRelay();
    const json = await curl(relay.plain, [...AUTH, ...JSON_TYPE, "--data-binary", '[{"headers":{"level":"ERROR","host":"web-1"},"body":"disk full"},{"body":"héllo"}]']);
    expect([json.status, json.headers["content-type"], JSON.parse(json.body)]).toEqual([200, "application/json", { accepted: 2 }]);
    const ndjson = await curl(relay.plain, [...AUTH, "-H", "Content-Type: application/x-ndjson", "--data-binary", `@${file("events.ndjson", '{"body":"n1"}\n{"headers":{"k":"v"},"body":"n2"}\n')}`]);
    expect(JSON.parse(ndjson.body)).toEqual({ accepted: 2 });
    const text = await curl(relay.plain, [...AUTH, ...TEXT_TYPE, "--data-binary", `@${file("lines.txt", "line one\r\nline two\n\nline three")}`]);
    expect(JSON.parse(text.body)).toEqual({ accepted: 3 });
    const zipped = await curl(relay.plain, [...AUTH, ...TEXT_TYPE, "-H", "Content-Encoding: gzip", "--data-binary", `@${file("lines.gz", gzipSync("zipped\n"))}`]);
    expect(JSON.parse(zipped.body)).toEqual({ accepted: 1 });

    const events = await waitFor("8 events at the HTTP server", () => {
      const got = ndjsonEvents(relay.out.requests);
      return got.length >= 8 && got;
    });
    expect(events).toEqual([
      { headers: { level: "ERROR", host: "web-1" }, body: "disk full" },
      { headers: {}, body: "héllo" },
      { headers: {}, body: "n1" },
      { headers: { k: "v" }, body: "n2" },
      { headers: {}, body: "line one" },
      { headers: {}, body: "line two" },
      { headers: {}, body: "line three" },
      { headers: {}, body: "zipped" },
    ]);
    for (const request of relay.out.requests) {
      expect(request).toMatchObject({ method: "POST", url: "/v1/events", status: 200 });
      expect(request.headers).toMatchObject({ "content-type": "application/x-ndjson", authorization: UPSTREAM_AUTH, "x-team": "ops" });
    }
    const log = await stopRelay();
    expect(log).toContain("msg=stopped");
    expect(log).toMatch(/source=plain EventReceivedCount=8 EventAcceptedCount=8 /);
    expect(log).toMatch(/sink=out .*EventDrainSuccessCount=8 /);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain("upstream-secret");
  }, 60_000);

  it("answers curl's bad requests with 401, 400, 413, 404 and 405 and a JSON error, relays none of them, and counts each", async () => {
    const relay = await startRelay();
    const noToken = await curl(relay.plain, [...TEXT_TYPE, "--data-binary", "x"]);
    expect([noToken.status, noToken.headers["www-authenticate"]]).toEqual([401, 'Bearer realm="flowc"']);
    const badJson = await curl(relay.plain, [...AUTH, ...JSON_TYPE, "--data-binary", '[{"body": "unterminated']);
    expect([badJson.status, JSON.parse(badJson.body).error]).toEqual([400, expect.stringMatching(/^the body is not valid JSON: /)]);
    const form = await curl(relay.plain, [...AUTH, "-d", "a=b"]);
    expect([form.status, JSON.parse(form.body).error]).toEqual([415, expect.stringContaining("curl -d sends this type")]);
    // 70 KB, over the 64KiB max_body_size; curl sends `Expect: 100-continue` and is answered before the body.
    const big = await curl(relay.plain, [...AUTH, ...TEXT_TYPE, "--data-binary", `@${file("big.txt", "y".repeat(70_000))}`]);
    expect([big.status, JSON.parse(big.body)]).toEqual([413, { error: "the body is larger than 65536 bytes (the source's max_body_size)" }]);
    const many = await curl(relay.plain, [...AUTH, ...TEXT_TYPE, "--data-binary", `@${file("many.txt", Array.from({ length: 101 }, (_, i) => `e${i}`).join("\n"))}`]);
    expect([many.status, JSON.parse(many.body).error]).toEqual([413, expect.stringContaining("at most 100 (the source's batch_size)")]);
    const elsewhere = await curl(relay.plain.replace("/ingest", "/other"), [...AUTH, "--data-binary", "x"]);
    expect(elsewhere.status).toBe(404);
    const get = await curl(relay.plain, [...AUTH]);
    expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
    const fine = await curl(relay.plain, [...AUTH, ...TEXT_TYPE, "--data-binary", "the only good one"]);
    expect(fine.status).toBe(200);

    await waitFor("the good event at the HTTP server", () => ndjsonEvents(relay.out.requests).length === 1);
    expect(ndjsonEvents(relay.out.requests)).toEqual([{ headers: {}, body: "the only good one" }]);
    expect((await flumeJson(relay.metrics))["SOURCE.plain"]).toMatchObject({
      UnauthorizedCount: "1",
      EventReadFail: "2",
      RequestTooLargeCount: "2",
      RouteMismatchCount: "2",
      AppendBatchAcceptedCount: "1",
      EventAcceptedCount: "1",
    });
    await stopRelay();
  }, 60_000);

  it("answers 503 with Retry-After while its channel is full, then delivers everything it accepted once, in order, when the server recovers", async () => {
    const relay = await startRelay();
    relay.out.reply(() => ({ status: 503, headers: { "Retry-After": "0" }, body: "upstream overloaded" }));
    const sent: string[] = [];
    let refused: CurlResult | undefined;
    // The channel holds 300 events and the sink keeps retrying one batch of 100: a few requests of 100 fill it.
    for (let request = 0; request < 10 && refused === undefined; request++) {
      const bodies = Array.from({ length: 100 }, (_, i) => `r${request}-${i}`);
      const answer = await curl(relay.plain, [...AUTH, ...TEXT_TYPE, "--data-binary", `@${file(`batch-${request}.txt`, bodies.join("\n"))}`]);
      if (answer.status === 200) sent.push(...bodies);
      else refused = answer;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers["retry-after"]).toBe("1");
    expect(JSON.parse(refused?.body ?? "{}").error).toMatch(/^channel `to_plain` is full .*; retry later$/);
    await waitFor("the HTTP server to have refused a batch", () => relay.out.requests.length > 0);

    relay.out.reply(() => ({ status: 200 }));
    const delivered = await waitFor(`${sent.length} events at the HTTP server`, () => {
      const got = ndjsonEvents(accepted(relay.out.requests)).map((event) => event.body);
      return got.length >= sent.length && got;
    }, 30_000);
    expect(delivered).toEqual(sent);
    const metrics = await flumeJson(relay.metrics);
    expect(metrics["SOURCE.plain"]).toMatchObject({ ChannelWriteFail: "1", EventAcceptedCount: String(sent.length) });
    expect(Number(metrics["SINK.out"]?.EventWriteFail)).toBeGreaterThan(0);
    await stopRelay();
  }, 60_000);

  it("serves HTTPS with a certificate made by openssl and requires client certificates, and relays over HTTPS to a server it trusts with tls_ca", async () => {
    const relay = await startRelay();
    const tls = ["--cacert", certs.server.cert];
    const trusted = await curl(relay.secure, [...tls, "--cert", certs.client.cert, "--key", certs.client.key, ...TEXT_TYPE, "--data-binary", "secure one\nsecure two\n"]);
    expect([trusted.status, JSON.parse(trusted.body)]).toEqual([200, { accepted: 2 }]);
    const anonymous = await curl(relay.secure, [...tls, ...TEXT_TYPE, "--data-binary", "no certificate"]);
    expect(anonymous.exitCode).not.toBe(0);
    expect(anonymous.status).toBe(0);
    const plainText = await curl(relay.secure.replace("https:", "http:"), [...TEXT_TYPE, "--data-binary", "not TLS"]);
    expect(plainText.status).toBe(0);

    const [request] = await waitFor("a request at the HTTPS server", () => relay.outTls.requests.length > 0 && relay.outTls.requests);
    expect(request).toMatchObject({ method: "POST", url: "/bulk", status: 200, clientCertificate: "relay-client" });
    expect(request?.headers).toMatchObject({ "content-type": "application/json", "content-encoding": "gzip" });
    expect(JSON.parse(request?.body.toString() ?? "")).toEqual([
      { headers: {}, body: "secure one" },
      { headers: {}, body: "secure two" },
    ]);
    await waitFor("both failed connections to be counted", async () => (await flumeJson(relay.metrics))["SOURCE.secure"]?.BadConnectionCount === "2");
    await stopRelay();
  }, 60_000);
});
