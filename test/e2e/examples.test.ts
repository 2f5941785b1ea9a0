import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { kcat, KafkaMockCluster } from "../helpers/kafka-mock";
import { buildFlow } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";

const work = mkdtempSync(join(tmpdir(), "flowc-examples-"));
const dist = join(work, "dist");
let agent: AgentProcess | undefined;

beforeAll(() => {
  for (const example of ["multiplexing", "fanout", "failover", "kafka"]) {
    buildFlow(`examples/${example}.flow`, dist);
  }
}, 300_000);

let cluster: KafkaMockCluster | undefined;
/** Agents besides `agent`, for tests that run two tiers at once. */
const others: AgentProcess[] = [];

afterEach(() => {
  killAgent(agent);
  for (const other of others.splice(0)) killAgent(other);
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

function send(port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    socket.on("close", () => resolve()).on("error", reject);
  });
}

function lines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").slice(0, -1);
  } catch {
    return [];
  }
}

async function run(tier: string, env: Record<string, string>): Promise<{ agent: AgentProcess; port: number }> {
  const port = await freePort();
  const portVariable = `${tier.toUpperCase()}_PORT`;
  agent = startAgent(join(dist, tier, tier), { env: { ...env, [portVariable]: String(port) }, cwd: work });
  await waitUntilReady(agent);
  return { agent, port };
}

describe("examples as built agents", () => {
  it("multiplexing.flow routes by an extracted header and by a regex on the body, and drops debug lines", async () => {
    const out = join(work, "router");
    const files = { ROUTER_ALERTS: join(out, "alerts.log"), ROUTER_PAYMENTS: join(out, "payments.log"), ROUTER_ARCHIVE: join(out, "archive.log") };
    const { agent: router, port } = await run("router", files);
    const input = [
      "ts=1 level=ERROR service=api msg=disk",
      "ts=2 level=INFO service=payments msg=charged",
      "ts=3 level=DEBUG service=api msg=noise",
      "ts=4 level=FATAL service=payment msg=down",
      "ts=5 level=INFO service=api msg=ok",
      "ts=6 no level at all",
    ];
    await send(port, `${input.join("\n")}\n`);
    await waitFor("the archive to receive every kept line", () => lines(files.ROUTER_ARCHIVE).length === 5, 15_000);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    expect(lines(files.ROUTER_ALERTS)).toEqual([input[0], input[3]]);
    expect(lines(files.ROUTER_PAYMENTS)).toEqual([input[1]]);
    expect(lines(files.ROUTER_ARCHIVE)).toEqual([input[0], input[1], input[3], input[4], input[5]]);
  }, 60_000);

  it("fanout.flow copies every event to the store and, best effort, to the debug channel", async () => {
    const out = join(work, "fanout");
    const files = { FANOUT_STORE: join(out, "store.log"), FANOUT_DEBUG: join(out, "debug.log") };
    const { agent: fanout, port } = await run("fanout", files);
    const input = Array.from({ length: 20_000 }, (_, i) => `event ${i}`);
    await send(port, `${input.join("\n")}\n`);
    await waitFor("the store to receive every line", () => lines(files.FANOUT_STORE).length === input.length, 30_000);
    fanout.child.kill("SIGTERM");
    expect(await fanout.exited).toBe(0);
    expect(lines(files.FANOUT_STORE)).toEqual(input);
    // Best effort: whatever reached the small debug channel is in order and a subset of the input.
    const debug = lines(files.FANOUT_DEBUG);
    expect(debug.length).toBeGreaterThan(0);
    expect(debug.every((line, i) => i === 0 || Number(line.split(" ")[1]) > Number((debug[i - 1] as string).split(" ")[1]))).toBe(true);
  }, 60_000);

  it("failover.flow delivers to the spare while the primary's disk is full", async () => {
    const spare = join(work, "failover", "spare.log");
    mkdirSync(join(work, "failover"), { recursive: true });
    // Writes to /dev/full fail with ENOSPC, exactly like a full disk.
    const { agent: archiver, port } = await run("archiver", { ARCHIVER_PRIMARY: "/dev/full", ARCHIVER_SPARE: spare });
    const input = Array.from({ length: 5_000 }, (_, i) => `record ${i}`);
    await send(port, `${input.join("\n")}\n`);
    await waitFor("the spare to receive every line", () => {
      try {
        return statSync(spare).size >= Buffer.byteLength(`${input.join("\n")}\n`);
      } catch {
        return false;
      }
    }, 30_000);
    archiver.child.kill("SIGTERM");
    expect(await archiver.exited).toBe(0);
    expect(lines(spare)).toEqual(input);
    expect(archiver.log()).toMatch(/member=primary/);
  }, 60_000);

  it("kafka.flow: the edge publishes a topic per service, keyed by host; the collector writes a file per topic", async () => {
    const topics = ["logs-web", "logs-api", "logs-unknown"];
    // Two partitions each: records of one key (the edge's host) must still come back in order.
    cluster = await KafkaMockCluster.start({ topics: topics.map((name) => ({ name, partitions: 2 })) });
    const kafka = { KAFKA_BROKERS: cluster.bootstrap };
    const collector = startAgent(join(dist, "collector", "collector"), { env: { ...kafka, COLLECTOR_SPOOL: join(work, "kafka-collector-spool") }, cwd: work });
    others.push(collector);
    await waitUntilReady(collector, 20_000);
    const { agent: edge, port } = await run("edge", { ...kafka, EDGE_SPOOL: join(work, "kafka-edge-spool") });

    const input = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `service=web GET /page/${i}` : i % 3 === 1 ? `service=api POST /v1/${i}` : `no service here ${i}`));
    await send(port, `${input.join("\n")}\n`);
    const out = (topic: string): string => join(work, "collector-out", `${topic}.log`);
    await waitFor("the collector to write every line", () => topics.reduce((sum, topic) => sum + lines(out(topic)).length, 0) === input.length, 45_000);

    expect(lines(out("logs-web"))).toEqual(input.filter((line) => line.startsWith("service=web")));
    expect(lines(out("logs-api"))).toEqual(input.filter((line) => line.startsWith("service=api")));
    expect(lines(out("logs-unknown"))).toEqual(input.filter((line) => line.startsWith("no service")));

    // An independent client sees the records: keyed by the edge's host, with the edge's headers.
    const records = kcat(["-C", "-b", cluster.bootstrap, "-t", "logs-web", "-o", "beginning", "-e", "-q", "-f", "%k|%h|%s\n"]).trim().split("\n");
    expect(records).toHaveLength(100);
    const hosts = new Set(records.map((record) => record.split("|")[0]));
    expect(hosts.size).toBe(1);
    expect([...hosts][0]).not.toBe("");
    const [key, headers, body] = (records[0] as string).split("|");
    expect(headers).toContain("service=web");
    expect(headers).toContain(`host=${key}`);
    expect(body).toBe(input[0]);

    edge.child.kill("SIGTERM");
    collector.child.kill("SIGTERM");
    expect(await edge.exited).toBe(0);
    expect(await collector.exited).toBe(0);
  }, 120_000);
});
