import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { KafkaMockCluster, kcat } from "../helpers/kafka-mock";
import { buildFlow } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";

/**
 * The kafka source in a real agent binary (test/e2e/flows/kafka-source.flow: kafka source → file channel →
 * files sink, JSON lines per topic) against librdkafka's mock cluster, fed by kcat. Killed mid-stream and
 * started again, the agent must resume from the group's committed offsets and lose nothing.
 */
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-kafka-source-"));
const binary = join(work, "dist", "consume", "consume");
const agents: AgentProcess[] = [];
let cluster: KafkaMockCluster;
let tests = 0;

beforeAll(async () => {
  cluster = await KafkaMockCluster.start({ brokers: 1 });
  buildFlow("test/e2e/flows/kafka-source.flow", join(work, "dist"));
}, 180_000);
afterEach(() => {
  for (const agent of agents.splice(0)) killAgent(agent);
});
afterAll(async () => {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly dir: string;
  readonly group: string;
  readonly topics: readonly string[];
}

interface Written {
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function newRun(partitions: Record<string, number>): Promise<Run> {
  const n = ++tests;
  const topics: string[] = [];
  for (const [name, count] of Object.entries(partitions)) {
    topics.push(`${name}-${n}`);
    await cluster.createTopic(`${name}-${n}`, count);
  }
  return { dir: mkdtempSync(join(work, "run-")), group: `e2e-${process.pid}-${n}`, topics };
}

async function startConsumer(run: Run): Promise<{ agent: AgentProcess; metrics: string }> {
  const agent = startAgent(binary, {
    cwd: run.dir,
    args: ["--metrics-port", "0"],
    env: { KAFKA_BROKERS: cluster.bootstrap, KAFKA_TOPICS: run.topics.join(","), KAFKA_GROUP: run.group, CHANNEL_DIR: join(run.dir, "channel") },
  });
  agents.push(agent);
  await waitUntilReady(agent, 20_000);
  const metrics = /msg=ready .*metrics=(http:\/\/127\.0\.0\.1:\d+)/.exec(agent.log())?.[1];
  if (metrics === undefined) throw new Error(`no metrics address in the readiness line:\n${agent.log()}`);
  return { agent, metrics };
}

/** The complete lines the agent has written so far (it may be in the middle of writing the last one). */
function written(run: Run, topic: string): Written[] {
  const path = join(run.dir, "out", `${topic}.jsonl`);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Written);
}

/** The run's committed offset of each partition, 0 for none. */
async function committed(run: Run, topic: string): Promise<number[]> {
  return (await cluster.committedOffsets(run.group, topic)).map((offset) => Math.max(0, offset));
}

async function sourceMetrics(metrics: string): Promise<Record<string, string>> {
  const response = await fetch(`${metrics}/metrics.json`);
  const json = (await response.json()) as Record<string, Record<string, string>>;
  return json["SOURCE.records"] ?? {};
}

describe("kafka source in an agent binary", { timeout: 120_000 }, () => {
  it("writes what kcat produced, with keys, Kafka headers, topic, partition and offset as headers, and commits it", async () => {
    const run = await newRun({ orders: 2, audit: 1 });
    const [orders, audit] = run.topics as [string, string];
    const { agent, metrics } = await startConsumer(run);
    const before = Date.now();
    kcat(["-P", "-b", cluster.bootstrap, "-t", orders, "-p", "0", "-K", "|", "-H", "shop=eu", "-H", "trace=7f3a"], "cust-1|order one\ncust-2|order two\n");
    kcat(["-P", "-b", cluster.bootstrap, "-t", orders, "-p", "1"], "unkeyed order\n");
    kcat(["-P", "-b", cluster.bootstrap, "-t", audit, "-K", "|"], "admin|login\n");
    await waitFor("every record written", () => written(run, orders).length === 3 && written(run, audit).length === 1, 30_000, 50);

    const byBody = new Map(written(run, orders).map((w) => [w.body, w.headers]));
    expect(byBody.get("order one")).toMatchObject({ key: "cust-1", shop: "eu", trace: "7f3a", topic: orders, partition: "0", offset: "0" });
    expect(byBody.get("order two")).toMatchObject({ key: "cust-2", topic: orders, partition: "0", offset: "1" });
    expect(byBody.get("unkeyed order")).toMatchObject({ topic: orders, partition: "1", offset: "0" });
    expect(byBody.get("unkeyed order")).not.toHaveProperty("key");
    expect(Number(byBody.get("order one")?.timestamp)).toBeGreaterThanOrEqual(before - 5_000);
    expect(written(run, audit)).toEqual([{ headers: expect.objectContaining({ key: "admin", topic: audit, partition: "0", offset: "0" }) as unknown, body: "login" }]);

    await waitFor("the offsets committed", async () => JSON.stringify([await committed(run, orders), await committed(run, audit)]) === "[[2,1],[1]]", 10_000, 100);
    const counters = await sourceMetrics(metrics);
    expect(counters.EventAcceptedCount).toBe("4");
    expect(counters.EventReceivedCount).toBe("4");
    expect(Number(counters.KafkaEventGetTimer)).toBeGreaterThan(0);
    expect(counters).toHaveProperty("KafkaCommitTimer");
    expect(counters).toHaveProperty("KafkaEmptyCount");

    agent.child.kill("SIGTERM");
    expect(await withTimeout(agent.exited, 20_000, "the agent to exit after SIGTERM")).toBe(0);
    expect(agent.log()).not.toMatch(/level=error/);
  });

  it("killed mid-stream and started again, resumes from the committed offsets: nothing lost, only uncommitted records repeated", async () => {
    // Enough records that the agent is still reading when it is killed.
    const PER_PARTITION = 40_000;
    const run = await newRun({ bulk: 2 });
    const [topic] = run.topics as [string];
    const lines = (partition: number, from: number, count: number): string =>
      `${Array.from({ length: count }, (_, i) => `p${partition}-${String(from + i).padStart(5, "0")}`).join("\n")}\n`;
    for (const partition of [0, 1]) kcat(["-P", "-b", cluster.bootstrap, "-t", topic, "-p", String(partition)], lines(partition, 0, PER_PARTITION));

    const first = await startConsumer(run);
    await waitFor("part of the records written", () => written(run, topic).length >= 2_000 || undefined, 30_000, 20);
    first.agent.child.kill("SIGKILL");
    await withTimeout(first.agent.exited, 10_000, "the killed agent to exit");
    const offsets = await committed(run, topic);
    const committedTotal = offsets.reduce((sum, offset) => sum + offset, 0);
    expect(committedTotal, "the agent was killed after it had read everything: no restart to test").toBeLessThan(2 * PER_PARTITION);

    for (const partition of [0, 1]) kcat(["-P", "-b", cluster.bootstrap, "-t", topic, "-p", String(partition)], lines(partition, PER_PARTITION, 500));
    const second = await startConsumer(run);
    const total = 2 * (PER_PARTITION + 500);
    await waitFor("every record written", () => new Set(written(run, topic).map((w) => w.body)).size === total || undefined, 60_000, 100);
    await waitFor("the offsets committed to the end", async () => JSON.stringify(await committed(run, topic)) === JSON.stringify([PER_PARTITION + 500, PER_PARTITION + 500]), 10_000, 100);

    // The restarted agent read exactly what the group had not committed: it resumed at those offsets.
    const counters = await sourceMetrics(second.metrics);
    expect(Number(counters.EventAcceptedCount)).toBe(total - committedTotal);
    const out = written(run, topic);
    const repeats = out.length - total;
    // Repeats: at most the chunk (batch_size = 200) of each partition put but not committed when the agent
    // died, and the files sink's one transaction (200) written but not committed to the file channel.
    expect(repeats).toBeGreaterThanOrEqual(0);
    expect(repeats).toBeLessThanOrEqual(2 * 200 + 200);
    second.agent.child.kill("SIGTERM");
    expect(await withTimeout(second.agent.exited, 20_000, "the agent to exit after SIGTERM")).toBe(0);
  });

  it("refuses to start with a topic name Kafka cannot have, saying which source and why", async () => {
    const run = await newRun({});
    const agent = startAgent(binary, {
      cwd: run.dir,
      env: { KAFKA_BROKERS: cluster.bootstrap, KAFKA_TOPICS: "orders,bad topic!", KAFKA_GROUP: run.group, CHANNEL_DIR: join(run.dir, "channel") },
    });
    agents.push(agent);
    expect(await withTimeout(agent.exited, 20_000, "the agent to exit")).toBe(78);
    // The log line quotes the message (and escapes its quotes).
    expect(agent.log()).toMatch(/level=error msg=".*source `records`: \\?"bad topic!\\?" is not a Kafka topic name/);
    expect(agent.log()).not.toMatch(/\n\s+at /);
  });
});
