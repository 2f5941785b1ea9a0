import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { buildFlow } from "../helpers/run-cli";
import { connectTcp, endWith, whenClosed } from "../helpers/tcp-client";
import { waitFor } from "../helpers/wait-for";

// One binary for every syslog e2e test: test/e2e/flows/syslog.flow, tier `syslog_e2e`.
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-syslog-"));
const binary = join(work, "dist", "syslog_e2e", "syslog_e2e");
let agent: AgentProcess | undefined;

beforeAll(() => {
  buildFlow("test/e2e/flows/syslog.flow", join(work, "dist"), "--tier", "syslog_e2e");
}, 180_000);

afterEach(() => {
  killAgent(agent);
  agent = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Running {
  readonly port: number;
  readonly rawPort: number;
  readonly metrics: string;
  readonly dir: string;
}

/** Starts the agent in a fresh directory (its sinks write to `out/` there) with metrics on a free port. */
async function startSyslogAgent(): Promise<Running> {
  const dir = mkdtempSync(join(work, "run-"));
  const port = await freePort();
  const rawPort = await freePort();
  agent = startAgent(binary, { env: { SYSLOG_PORT: String(port), SYSLOG_RAW_PORT: String(rawPort) }, cwd: dir, args: ["--metrics-port", "0", "--metrics-address", "127.0.0.1"] });
  await waitUntilReady(agent);
  const ready = /msg=ready .*/.exec(agent.log())?.[0] ?? "";
  expect(ready).toContain(`tcp+udp://127.0.0.1:${port}`);
  expect(ready).toContain(`tcp://127.0.0.1:${rawPort}`);
  const metrics = /metrics=(http:\/\/127\.0\.0\.1:\d+)/.exec(ready)?.[1];
  if (metrics === undefined) throw new Error(`no metrics address in the readiness line:\n${agent.log()}`);
  return { port, rawPort, metrics, dir };
}

/** Runs util-linux `logger`, the client syslog users have, against the agent. */
function logger(port: number, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("/usr/bin/logger", ["-n", "127.0.0.1", "-P", String(port), ...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`logger ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

function lines(dir: string, file: string): string[] {
  try {
    return readFileSync(join(dir, "out", file), "utf8").split("\n").filter((line) => line !== "");
  } catch {
    return [];
  }
}

/** Waits until `file` holds exactly `count` lines and returns them sorted (TCP and UDP messages race). */
function linesOf(dir: string, file: string, count: number): Promise<string[]> {
  return waitFor(`${count} lines in out/${file}`, () => {
    const got = lines(dir, file);
    return got.length >= count && got.sort();
  }, 15_000);
}

async function flumeJson(base: string): Promise<Record<string, Record<string, string>>> {
  const response = await fetch(`${base}/metrics.json`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as Record<string, Record<string, string>>;
}

/** Sends raw bytes on one TCP connection and waits until the agent closed it. */
async function sendRaw(port: number, data: string | Buffer): Promise<void> {
  const socket = await connectTcp(port);
  await endWith(socket, data);
  await whenClosed(socket);
}

async function stopAgent(): Promise<string> {
  agent?.child.kill("SIGTERM");
  expect(await agent?.exited).toBe(0);
  return agent?.log() ?? "";
}

describe("the syslog source in a built agent, driven by util-linux logger", () => {
  it("parses every logger variant into the headers its routes test: TCP, UDP, RFC 3164, RFC 5424, octet counting", async () => {
    const { port, rawPort, dir } = await startSyslogAgent();
    const full = ["--rfc5424", "-t", "e2e", "-p", "local3.warning", "--msgid", "M7", "--sd-id", "ex@32473", "--sd-param", 'k="v"'];
    await logger(port, ["--tcp", ...full, "full tcp"]);
    await logger(port, ["--udp", ...full, "full udp"]);
    await logger(port, ["--tcp", "--octet-count", ...full, "full tcp octet-counted"]);
    await logger(port, ["--udp", "--octet-count", ...full, "full udp octet-counted"]);
    const bsd = ["--rfc3164", "-t", "e2e", "-i", "--id=4242"];
    await logger(port, ["--tcp", ...bsd, "bsd tcp"]);
    await logger(port, ["--udp", ...bsd, "bsd udp"]);
    await sendRaw(port, "this is not syslog\n");
    await logger(rawPort, ["--tcp", "--octet-count", "--rfc5424", "-t", "e2e", "kept whole"]);

    expect(await linesOf(dir, "full.log", 4)).toEqual(["full tcp", "full tcp octet-counted", "full udp", "full udp octet-counted"]);
    expect(await linesOf(dir, "bsd.log", 2)).toEqual(["bsd tcp", "bsd udp"]);
    expect(await linesOf(dir, "invalid.log", 1)).toEqual(["this is not syslog"]);
    // keep_fields: the whole message, PRI and header included, is the body.
    const [kept] = await linesOf(dir, "kept.log", 1);
    expect(kept).toMatch(/^<13>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d \S+ e2e - - \[timeQuality [^\]]*\] kept whole$/);
    expect(lines(dir, "other.log")).toEqual([]);

    const log = await stopAgent();
    expect(log).toMatch(/msg="source stopped" .*source=inbound .*EventReceivedCount=7 EventAcceptedCount=7 .*MessageInvalidCount=1/);
    expect(log).toContain("msg=stopped");
  }, 60_000);

  it("keeps running through hostile input, keeps what it can, and reports it in its log and metrics", async () => {
    const { port, rawPort, metrics, dir } = await startSyslogAgent();
    // A hostile octet count: the first max_message_size (64 KiB) bytes are kept, the rest discarded as it arrives.
    await sendRaw(rawPort, Buffer.concat([Buffer.from("9999999999 <13>1 - evil e2e - - - "), Buffer.alloc(200_000, 0x41)]));
    // NUL bytes and bytes that are not UTF-8 pass through; a frame cut off by the end of its connection is kept.
    await sendRaw(rawPort, Buffer.concat([Buffer.from("23 <13>1 - - e2e - - - "), Buffer.from([0x00, 0xff]), Buffer.from("x\n30 <13>1 - - e2e - - - cut")]));
    // Garbage in place of an octet count on an octet-counting connection.
    await sendRaw(rawPort, "garbage\n");
    await logger(port, ["--tcp", "--rfc5424", "-t", "e2e", "-p", "local3.warning", "--msgid", "M7", "--sd-id", "ex@32473", "--sd-param", 'k="v"', "still alive"]);
    expect(await linesOf(dir, "full.log", 1)).toEqual(["still alive"]);

    const kept = await waitFor("four messages kept from the raw port", () => {
      try {
        const bytes = readFileSync(join(dir, "out", "kept.log"));
        return bytes.toString("latin1").split("\n").length >= 5 && bytes;
      } catch {
        return false;
      }
    }, 15_000);
    const keptLines = kept.toString("latin1").split("\n");
    expect(keptLines[0]?.length).toBe(65_536);
    expect(keptLines[0]?.startsWith("<13>1 - evil e2e - - - AAAA")).toBe(true);
    expect(Buffer.from(keptLines[1] ?? "", "latin1").equals(Buffer.concat([Buffer.from("<13>1 - - e2e - - - "), Buffer.from([0x00, 0xff]), Buffer.from("x")]))).toBe(true);
    expect(keptLines.slice(2, 4)).toEqual(["<13>1 - - e2e - - - cut", "garbage"]);

    const document = await waitFor("the raw source's counters", async () => {
      const json = await flumeJson(metrics);
      return json["SOURCE.raw"]?.EventAcceptedCount === "4" && json;
    });
    expect(document["SOURCE.raw"]).toMatchObject({ MessageIncompleteCount: "2", FramingErrorCount: "1", MessageInvalidCount: "1", OpenConnectionCount: "0" });
    const prometheus = await (await fetch(`${metrics}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(prometheus).toMatch(/^flowc_source_message_incomplete_total\{tier="syslog_e2e",component="raw"\} 2$/m);

    const log = await stopAgent();
    expect(log).toMatch(/level=warn msg="cut a message longer than max_message_size \(65536 bytes\) to it; the rest is discarded" tier=syslog_e2e source=raw peer=127\.0\.0\.1:\d+/);
    expect(log).toContain("an octet-counting connection sent no `LENGTH SP`");
    expect(log).not.toContain("    at ");
  }, 60_000);

  it("exits 78 naming the problem when the port variable is not a port", async () => {
    agent = startAgent(binary, { env: { SYSLOG_PORT: "syslog" }, cwd: work });
    expect(await agent.exited).toBe(78);
    expect(agent.log()).toContain("SYSLOG_PORT");
  });
});
