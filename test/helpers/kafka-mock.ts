import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { type Admin, Kafka, logLevel } from "kafkajs";

/**
 * A real Kafka protocol endpoint for tests: librdkafka's mock cluster (Debian's `librdkafka-dev`), run by the
 * small C program next to this file, compiled once per content hash with `cc … -lrdkafka`. kafkajs and
 * `kcat` talk to it over the Kafka wire protocol on 127.0.0.1, at ports the kernel picks.
 *
 * When `cc` or librdkafka is missing this throws: `.ci/run` installs them, and a Kafka test must fail, not
 * skip, without them.
 */
export class KafkaMockCluster {
  private readonly answers: AsyncIterator<string>;
  private pending: Promise<unknown> = Promise.resolve();
  private topicsMade = 0;
  /** Made on first use by `committedOffsets`, disconnected by `stop`. */
  private admin: Promise<Admin> | undefined = undefined;

  private constructor(
    private readonly process: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    /** `host:port,host:port,…`, as kafkajs's `brokers` (split) and kcat's `-b` take it. */
    readonly bootstrap: string,
  ) {
    this.answers = lines[Symbol.asyncIterator]();
  }

  /** The brokers as a list, for kafkajs. */
  get brokers(): string[] {
    return this.bootstrap.split(",");
  }

  /** Starts a cluster of `brokers` brokers (ids 1…n) and creates `topics`. */
  static async start(options: { brokers?: number; topics?: readonly { name: string; partitions?: number; replication?: number }[] } = {}): Promise<KafkaMockCluster> {
    const binary = mockClusterBinary();
    const child = spawn(binary, [String(options.brokers ?? 1)], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const first = await Promise.race([
      lines[Symbol.asyncIterator]().next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`mock cluster did not start in 10 s: ${stderr}`)), 10_000)),
      new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`mock cluster exited with ${code}: ${stderr}`)))),
    ]);
    const match = /^bootstrap (\S+)$/.exec(String(first.value));
    if (!match) throw new Error(`mock cluster said ${JSON.stringify(first.value)} instead of its bootstrap servers`);
    const cluster = new KafkaMockCluster(child, lines, match[1] ?? "");
    for (const topic of options.topics ?? []) await cluster.createTopic(topic.name, topic.partitions ?? 1, topic.replication ?? 1);
    return cluster;
  }

  /** Sends one command (see kafka-mock-cluster.c) and resolves with its "ok", or rejects with its error. */
  command(line: string): Promise<void> {
    const run = this.pending.then(async () => {
      this.process.stdin.write(`${line}\n`);
      const answer = await this.answers.next();
      if (answer.done) throw new Error(`mock cluster exited before answering ${line}`);
      if (answer.value !== "ok") throw new Error(`mock cluster: ${line}: ${answer.value}`);
    });
    this.pending = run.catch(() => undefined);
    return run;
  }

  createTopic(name: string, partitions = 1, replication = 1): Promise<void> {
    return this.command(`topic ${name} ${partitions} ${replication}`);
  }

  /** Creates a topic with a name no other test of this cluster has (`prefix-1`, `prefix-2`, …) and returns it. */
  async newTopic(prefix: string, partitions = 1): Promise<string> {
    const name = `${prefix}-${++this.topicsMade}`;
    await this.createTopic(name, partitions);
    return name;
  }

  /** A consumer group's committed offset of each partition of `topic`, by partition (-1: none), read with kafkajs's admin client. */
  async committedOffsets(group: string, topic: string): Promise<number[]> {
    this.admin ??= (async () => {
      const admin = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      return admin;
    })();
    const [offsets] = await (await this.admin).fetchOffsets({ groupId: group, topics: [topic] });
    return (offsets?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  }

  /**
   * The next requests with this API key (0 Produce, 1 Fetch, 3 Metadata, 8 OffsetCommit, 11 JoinGroup, …)
   * fail with these Kafka error codes, in order (e.g. 6 NOT_LEADER_FOR_PARTITION, 7 REQUEST_TIMED_OUT,
   * 10 MESSAGE_TOO_LARGE). The librdkafka code -195 (transport) makes the broker drop the connection.
   */
  pushErrors(apiKey: number, codes: readonly number[]): Promise<void> {
    return this.command(`errors ${apiKey} ${codes.join(" ")}`);
  }

  /** Disconnects a broker (1…n, or -1 for all) and refuses new connections until `brokerUp`. */
  brokerDown(broker: number): Promise<void> {
    return this.command(`down ${broker}`);
  }

  brokerUp(broker: number): Promise<void> {
    return this.command(`up ${broker}`);
  }

  /** Delays every response of a broker by `ms`. */
  setRtt(broker: number, ms: number): Promise<void> {
    return this.command(`rtt ${broker} ${ms}`);
  }

  setLeader(topic: string, partition: number, broker: number): Promise<void> {
    return this.command(`leader ${topic} ${partition} ${broker}`);
  }

  /** Tears the cluster down (closing stdin is what makes it exit; SIGKILL after 5 s). */
  async stop(): Promise<void> {
    await (await this.admin?.catch(() => undefined))?.disconnect();
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    this.process.stdin.end();
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    this.lines.close();
  }
}

/** Compiles kafka-mock-cluster.c once per content (cached in the temp directory) and returns the binary. */
function mockClusterBinary(): string {
  const source = join(import.meta.dirname, "kafka-mock-cluster.c");
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const directory = join(tmpdir(), "flowc-test-tools");
  const binary = join(directory, `kafka-mock-cluster-${hash}`);
  if (existsSync(binary)) return binary;
  if (!existsSync("/usr/include/librdkafka/rdkafka_mock.h")) {
    throw new Error("librdkafka-dev is not installed (it provides rdkafka_mock.h): apt-get install -y librdkafka-dev kcat");
  }
  mkdirSync(directory, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  execFileSync("cc", ["-O1", "-o", partial, source, "-lrdkafka"], { stdio: "pipe" });
  renameSync(partial, binary);
  return binary;
}

/**
 * Runs `kcat` (Debian's independent Kafka client) and returns its stdout. Throws when kcat is missing,
 * so a Kafka test fails rather than skips.
 */
export function kcat(args: readonly string[], input?: string | Buffer): string {
  return execFileSync("kcat", args, { input, maxBuffer: 1 << 30, timeout: 60_000, stdio: ["pipe", "pipe", "pipe"] }).toString();
}
