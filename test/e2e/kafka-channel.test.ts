import { spawnSync } from "node:child_process";
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { KafkaMockCluster, kcat } from "../helpers/kafka-mock";
import { buildFlow } from "../helpers/run-cli";
import { connectTcp, endWith } from "../helpers/tcp-client";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";

/**
 * The kafka channel in a real agent binary (test/e2e/flows/kafka-channel.flow: tcp source → kafka channel →
 * files sink) against librdkafka's mock cluster, with kcat as the independent witness of what the topic
 * holds. The agent is killed and restarted; what it accepted must all arrive, duplicates bounded.
 */
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-kafka-channel-"));
const binary = join(work, "dist", "relay", "relay");
const agents: AgentProcess[] = [];
let cluster: KafkaMockCluster;

beforeAll(async () => {
  cluster = await KafkaMockCluster.start({ brokers: 1 });
  buildFlow("test/e2e/flows/kafka-channel.flow", join(work, "dist"));
}, 180_000);
afterEach(() => {
  for (const agent of agents.splice(0)) killAgent(agent);
});
afterAll(async () => {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Relay {
  readonly agent: AgentProcess;
  readonly port: number;
}

async function startRelay(topic: string, out: string, group = "relay"): Promise<Relay> {
  const port = await freePort();
  const agent = startAgent(binary, {
    env: { KAFKA_BROKERS: cluster.bootstrap, RELAY_PORT: String(port), RELAY_TOPIC: topic, RELAY_OUT: out, RELAY_GROUP: group },
    cwd: work,
  });
  agents.push(agent);
  await waitUntilReady(agent, 20_000);
  return { agent, port };
}

function lines(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

async function send(port: number, text: string): Promise<void> {
  const socket = await connectTcp(port);
  await endWith(socket, text);
}

/** The bodies the topic holds, read by kcat. */
function topicBodies(topic: string): string[] {
  return kcat(["-C", "-b", cluster.bootstrap, "-t", topic, "-e", "-q", "-f", "%s\n"]).split("\n").filter((line) => line !== "");
}

/** The complete lines of `path` (the agent may be in the middle of writing the last one). */
function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  return text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter((line) => line !== "");
}

/** Waits until the files hold every line of `expected` (in any order); returns everything they hold. */
function waitForAll(paths: readonly string[], expected: readonly string[], timeoutMs = 60_000): Promise<string[]> {
  const wanted = new Set(expected);
  return waitFor(
    `${expected.length} lines in ${paths.join(", ")}`,
    () => {
      const all = paths.flatMap(readLines);
      const seen = new Set(all.filter((line) => wanted.has(line)));
      return seen.size === wanted.size ? all : undefined;
    },
    timeoutMs,
    50,
  );
}

function duplicates(all: readonly string[]): number {
  return all.length - new Set(all).size;
}

async function stopRelay(relay: Relay): Promise<void> {
  relay.agent.child.kill("SIGTERM");
  expect(await withTimeout(relay.agent.exited, 30_000, "the agent to exit after SIGTERM")).toBe(0);
}

describe("kafka channel in an agent", () => {
  it("keeps events in Kafka when the agent is killed: a restart delivers every one of them", async () => {
    const topic = await cluster.newTopic("relay", 2);
    const dir = mkdtempSync(join(work, "kill-"));
    // The sink writes into a pipe nobody reads yet: it stalls once the pipe is full, and the rest stays in Kafka.
    const pipe = join(dir, "stalled.fifo");
    expect(spawnSync("mkfifo", [pipe]).status).toBe(0);
    const reader = openSync(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
    const expected = lines(20_000, "kill");
    const pipeText = { rest: "" };
    const before: string[] = [];
    try {
      const first = await startRelay(topic, pipe);
      await send(first.port, `${expected.join("\n")}\n`);
      await waitFor("every line in the topic", () => topicBodies(topic).length === expected.length, 30_000, 100);
      // Let the sink deliver a little, then stop reading: it stalls mid-batch, as a hung destination would.
      await waitFor("the sink to deliver", () => before.push(...readPipe(reader, pipeText)) >= 1_000, 30_000, 20);
      first.agent.child.kill("SIGKILL");
      expect(await withTimeout(first.agent.exited, 10_000, "the killed agent to exit")).toBe(137);
      before.push(...readPipe(reader, pipeText));
    } finally {
      closeSync(reader);
    }
    expect(before.length).toBeLessThan(expected.length);

    const out = join(dir, "out.log");
    const second = await startRelay(topic, out);
    const after = await waitForAll([out], expected.filter((line) => !before.includes(line))).catch((error: Error) => {
      throw new Error(`${error.message}; the restarted agent logged:\n${second.agent.log()}`);
    });
    await stopRelay(second);
    const all = [...before, ...after];
    expect(new Set(all)).toEqual(new Set(expected));
    // What the killed agent wrote but whose offsets were not committed comes again: the channel bounds it
    // by `prefetch` (2000 by default).
    expect(duplicates(all)).toBeLessThanOrEqual(2_000);
  }, 120_000);

  it("loses nothing it accepted when stopped mid-stream, and delivers it after a restart without duplicates", async () => {
    const topic = await cluster.newTopic("relay", 2);
    const dir = mkdtempSync(join(work, "term-"));
    const out = join(dir, "out.log");
    const first = await startRelay(topic, out);
    const socket = await connectTcp(first.port);
    socket.on("error", () => undefined);
    const sending = stream(socket, "term");
    await waitFor("lines delivered before the stop", () => readLines(out).length > 2_000, 30_000, 20);
    first.agent.child.kill("SIGTERM");
    expect(await withTimeout(first.agent.exited, 30_000, "the agent to exit after SIGTERM")).toBe(0);
    const sent = await sending;
    const accepted = Number(/source stopped.* EventAcceptedCount=(\d+)/.exec(first.agent.log())?.[1]);
    expect(accepted).toBeGreaterThan(2_000);
    expect(accepted).toBeLessThanOrEqual(sent);
    // Flume's KafkaChannelCounter names in the final counters: every accepted event was put, none lost.
    const stopped = /msg="channel stopped" .*/.exec(first.agent.log())?.[0] ?? "";
    expect(stopped).toContain(`EventPutSuccessCount=${accepted} `);
    expect(stopped).toMatch(/ KafkaEventSendTimer=\d+ KafkaCommitTimer=\d+ RollbackCount=0 EventPutErrorCount=0/);
    expect(stopped).toMatch(/ ChannelSize=0 /);
    expect(first.agent.log()).not.toMatch(/lost at stop/);

    const second = await startRelay(topic, out);
    const expected = lines(accepted, "term");
    const all = await waitForAll([out], expected);
    await stopRelay(second);
    // A clean stop delivers the batch in hand and commits every delivered batch: nothing comes twice.
    expect(duplicates(all)).toBe(0);
    expect(all.length - duplicates(all)).toBeGreaterThanOrEqual(accepted);
  }, 120_000);

  it("shares the topic's partitions between two agents of one consumer group", async () => {
    const topic = await cluster.newTopic("relay", 4);
    const dir = mkdtempSync(join(work, "scale-"));
    const outs = [join(dir, "a.log"), join(dir, "b.log")];
    const a = await startRelay(topic, outs[0] as string, "scale");
    const b = await startRelay(topic, outs[1] as string, "scale");
    const owned = (agent: AgentProcess): number =>
      (/Kafka partitions assigned.* partitions=(\S+)/g.exec([...agent.log().matchAll(/.*Kafka partitions assigned.*/g)].at(-1)?.[0] ?? "")?.[1] ?? "none").split(",").filter((p) => p !== "none").length;
    await waitFor("two partitions each", () => owned(a.agent) === 2 && owned(b.agent) === 2, 40_000, 100);
    const expected = lines(4_000, "scale");
    await send(a.port, `${expected.join("\n")}\n`);
    const all = await waitForAll(outs, expected);
    expect([...all].sort()).toEqual([...expected].sort());
    expect(readLines(outs[0] as string).length).toBeGreaterThan(0);
    expect(readLines(outs[1] as string).length).toBeGreaterThan(0);
    await stopRelay(a);
    await stopRelay(b);
  }, 120_000);
});

/**
 * Writes numbered lines as fast as the agent reads them until the connection ends or `max` were written;
 * resolves with how many were written. Bounded: the mock cluster keeps only a few MB per partition, and a
 * loaded machine must deliver them all again within the test's wait.
 */
async function stream(socket: Socket, prefix: string, max = 100_000): Promise<number> {
  let i = 0;
  let open = true;
  socket.once("close", () => (open = false));
  while (open && i < max) {
    let chunk = "";
    for (let k = 0; k < 200; k++) chunk += `${prefix}-${i++}\n`;
    const flushed = socket.write(chunk);
    if (!flushed) await new Promise<void>((resolve) => (socket.once("drain", resolve), socket.once("close", resolve)));
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return i;
}

/** The complete lines a non-blocking pipe reader can read now; a cut last line waits in `state.rest`. */
function readPipe(fd: number, state: { rest: string }): string[] {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(65_536);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  const text = state.rest + Buffer.concat(chunks).toString("utf8");
  const cut = text.lastIndexOf("\n");
  state.rest = text.slice(cut + 1);
  return cut < 0 ? [] : text.slice(0, cut).split("\n");
}
