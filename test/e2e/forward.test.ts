import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FluentClient } from "@fluent-org/logger";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { FakeReceiver } from "../helpers/fake-forward-receiver";
import { EventTime, RawClient } from "../helpers/forward-raw-client";
import { freePort } from "../helpers/free-port";
import { buildFlow } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";

// One binary for every test here: test/e2e/flows/forward.flow's `relay` tier (listen → file, and → forward).
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-forward-"));
const binary = join(work, "dist", "relay", "relay");
let agent: AgentProcess | undefined;
const receivers: FakeReceiver[] = [];

beforeAll(() => {
  buildFlow("test/e2e/flows/forward.flow", join(work, "dist"));
}, 180_000);

afterEach(async () => {
  killAgent(agent);
  for (const receiver of receivers.splice(0)) await receiver.close();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function startRelay(env: Record<string, string> = {}): Promise<{ port: number; uplink: FakeReceiver; output: string }> {
  const uplink = new FakeReceiver();
  receivers.push(uplink);
  const uplinkPort = await uplink.listen();
  const port = await freePort();
  const output = join(work, `out-${port}.log`);
  agent = startAgent(binary, { env: { RELAY_PORT: String(port), RELAY_UPLINK_PORT: String(uplinkPort), RELAY_OUT: output, ...env }, cwd: work });
  expect(await waitUntilReady(agent)).toBe(`forward://127.0.0.1:${port}`);
  return { port, uplink, output };
}

/** Debian's python3-fluent-logger (Message mode, EventTime with nanosecond_precision) sends `count` records. */
function pythonSends(port: number, count: number): void {
  const script = [
    "import sys",
    "from fluent import sender",
    "s = sender.FluentSender('py', host='127.0.0.1', port=int(sys.argv[1]), nanosecond_precision=True)",
    "for i in range(int(sys.argv[2])):",
    "    assert s.emit_with_time('app', 1700000000.5 + i, {'message': 'line %d' % i, 'n': i, 'ok': True}), s.last_error",
    "s.close()",
  ].join("\n");
  const python = spawnSync("/usr/bin/python3", ["-c", script, String(port), String(count)], { encoding: "utf8", timeout: 30_000 });
  if (python.status !== 0) throw new Error(`python3 failed (${python.status}): ${python.stderr}`);
}

describe("a built agent with a listen source and a forward sink", () => {
  it("receives from python3-fluent-logger, writes the bodies and forwards the records with their tag and time", async () => {
    const { port, uplink, output } = await startRelay();
    pythonSends(port, 200);
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    await waitFor("200 lines in the file", () => {
      try {
        return readFileSync(output, "utf8") === `${lines.join("\n")}\n`;
      } catch {
        return false;
      }
    }, 20_000);
    await waitFor("200 records at the uplink", () => uplink.entries().length === 200, 20_000);
    const entries = uplink.entries();
    expect(entries.map(([, , record]) => record["message"])).toEqual(lines);
    expect(entries[3]).toEqual(["py.app", new EventTime(1_700_000_003, 500_000_000), { message: "line 3", n: "3", ok: "true" }]);
    expect(uplink.messages.every((message) => (message[2] as { compressed?: string }).compressed === "gzip")).toBe(true);

    agent?.child.kill("SIGTERM");
    expect(await agent?.exited).toBe(0);
    const log = agent?.log() ?? "";
    expect(log).toMatch(/msg="source stopped" tier=relay source=inbound .*EventReceivedCount=200 EventAcceptedCount=200/);
    expect(log).toMatch(/AppendReceivedCount=200 AppendAcceptedCount=200/);
    expect(log).toMatch(/msg="sink stopped" tier=relay sink=uplink .*EventDrainSuccessCount=200/);
  }, 60_000);

  it("with a shared key from the environment: admits a client that knows it, refuses one that does not (logged)", async () => {
    const { port, output } = await startRelay({ RELAY_SHARED_KEY: "k3y" });
    const client = (sharedKey: string): FluentClient =>
      new FluentClient("node", { socket: { host: "127.0.0.1", port, disableReconnect: true }, security: { clientHostname: "client", sharedKey }, ack: { ackTimeout: 5_000 } });
    const good = client("k3y");
    try {
      await withTimeout(good.connect(), 5_000, "the client to connect");
      await withTimeout(good.emit("x", { message: "admitted" }), 10_000, "the acknowledgement");
    } finally {
      await good.shutdown();
    }
    const bad = await RawClient.open(port);
    try {
      expect(await bad.handshake({ sharedKey: "guess" })).toMatchObject({ ok: false, reason: "shared_key mismatch" });
    } finally {
      bad.destroy();
    }
    await waitFor("the refusal in the log", () => (agent?.log() ?? "").includes("handshake failed; connection closed"), 10_000);
    expect(agent?.log()).toMatch(/level=warn msg="handshake failed; connection closed" tier=relay source=inbound .*reason="shared_key mismatch"/);
    expect(agent?.log()).not.toContain("k3y");
    await waitFor("the admitted event in the file", () => {
      try {
        return readFileSync(output, "utf8") === "admitted\n";
      } catch {
        return false;
      }
    }, 10_000);
  }, 60_000);
});
