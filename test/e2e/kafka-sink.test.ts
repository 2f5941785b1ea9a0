import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { KafkaMockCluster } from "../helpers/kafka-mock";
import { buildFlow } from "../helpers/run-cli";
import { connectTcp, endWith } from "../helpers/tcp-client";
import { waitFor } from "../helpers/wait-for";
import { readBack } from "../runtime/kafka/read-back";

// One binary for every test here: test/e2e/flows/kafka-sink.flow, tier `edge` (tcp → memory → kafka),
// writing to librdkafka's mock cluster; kcat, an independent client, reads the topics back.
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-kafka-sink-"));
const binary = join(work, "dist", "edge", "edge");
let agent: AgentProcess | undefined;
const clusters: KafkaMockCluster[] = [];

beforeAll(() => {
  buildFlow("test/e2e/flows/kafka-sink.flow", join(work, "dist"));
}, 180_000);

afterEach(async () => {
  killAgent(agent);
  agent = undefined;
  for (const cluster of clusters.splice(0)) await cluster.stop();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cluster(): Promise<KafkaMockCluster> {
  const started = await KafkaMockCluster.start({
    brokers: 3,
    topics: [
      { name: "svc-web", partitions: 3, replication: 3 },
      { name: "svc-db", partitions: 1, replication: 3 },
      { name: "svc-unknown", partitions: 1, replication: 3 },
    ],
  });
  clusters.push(started);
  return started;
}

async function startEdge(kafka: KafkaMockCluster): Promise<number> {
  const port = await freePort();
  agent = startAgent(binary, { cwd: work, env: { EDGE_PORT: String(port), KAFKA_BROKERS: kafka.bootstrap } });
  await waitUntilReady(agent);
  return port;
}

async function send(port: number, lines: readonly string[]): Promise<void> {
  await endWith(await connectTcp(port), `${lines.join("\n")}\n`);
}

/** SIGTERM: the agent must deliver what its channel holds and exit 0. */
async function stopEdge(): Promise<string> {
  const running = agent;
  if (running === undefined) throw new Error("no agent running");
  running.child.kill("SIGTERM");
  expect(await running.exited).toBe(0);
  agent = undefined;
  return running.log();
}

describe("the kafka sink in a built agent", () => {
  it("publishes TCP lines to a topic per service with acks = all and gzip; kcat reads them with key and headers intact", async () => {
    const kafka = await cluster();
    const port = await startEdge(kafka);
    const web = Array.from({ length: 2_000 }, (_, i) => `service=web GET /page/${i} 200`);
    const db = Array.from({ length: 300 }, (_, i) => `service=db slow query ${i}`);
    const other = ["no service here", "service=UPPER is not matched"];
    const lines: string[] = [];
    for (let i = 0; i < web.length; i++) {
      lines.push(web[i] as string);
      if (i < db.length) lines.push(db[i] as string);
    }
    lines.push(...other);
    await send(port, lines);
    await waitFor("every line in Kafka", () => readBack(kafka, "svc-web").length + readBack(kafka, "svc-db").length + readBack(kafka, "svc-unknown").length === lines.length, 30_000, 200);

    const webRecords = readBack(kafka, "svc-web", "%p|%k|%h|%s\n").map((line) => line.split("|"));
    expect(webRecords.map(([, , , body]) => body).sort()).toEqual([...web].sort());
    // Keyed by service: the Java partitioner puts every `web` record in one partition, in order.
    expect(new Set(webRecords.map(([partition]) => partition)).size).toBe(1);
    expect(webRecords.map(([, , , body]) => body)).toEqual(web);
    for (const [, key, headers] of webRecords) {
      expect(key).toBe("web");
      expect(headers?.split(",").sort()).toEqual(["dc=eu-1", "service=web"]);
    }
    expect(readBack(kafka, "svc-db", "%k|%h|%s\n")).toEqual(db.map((line) => `db|service=db,dc=eu-1|${line}`));
    // Lines without a service have no key and only the static header, and go to default_topic.
    expect(readBack(kafka, "svc-unknown", "%k|%h|%s\n")).toEqual(other.map((line) => `|dc=eu-1|${line}`));

    const log = await stopEdge();
    expect(log).toMatch(/connected to Kafka/);
  }, 90_000);

  it("starts while Kafka is unreachable, keeps the lines and delivers them once a broker is back", async () => {
    const kafka = await cluster();
    for (const broker of [1, 2, 3]) await kafka.brokerDown(broker);
    const port = await startEdge(kafka);
    const lines = Array.from({ length: 500 }, (_, i) => `service=db line ${i}`);
    await send(port, lines);
    const running = agent as AgentProcess;
    await waitFor("a failed delivery in the log", () => /delivery failed, will retry/.test(running.log()), 30_000, 100);
    expect(running.log()).toMatch(/cannot connect to Kafka/);
    for (const broker of [1, 2, 3]) await kafka.brokerUp(broker);
    await waitFor("every line in Kafka", () => new Set(readBack(kafka, "svc-db")).size === lines.length, 30_000, 200);
    expect([...new Set(readBack(kafka, "svc-db"))]).toEqual(lines);
    await stopEdge();
  }, 90_000);
});
