import type { AgentTopology } from "../../runtime/agent/run-agent";
import { EnvReader } from "../../runtime/agent/env-reader";
import type { Channel } from "../../runtime/core/channel";
import { FlowEvent } from "../../runtime/core/event";
import type { TestPlan, TierPlan } from "../ir";
import { loadTier } from "../run/load-bundle";

export interface TestFailure {
  /** The `.flow` line of the step that failed. */
  readonly line: number;
  readonly message: string;
}

export interface TestResult {
  readonly tier: string;
  readonly name: string;
  readonly line: number;
  readonly failure?: TestFailure;
}

/**
 * Runs a tier's `test` blocks through its real generated code: each `send` goes through the source's
 * processor (the generated interceptor chain and route), then the channels are emptied to see which
 * received the event and what headers it carries. Channels are in memory and nothing is started, so
 * tests touch no disk or network.
 */
export async function runFlowTests(plan: TierPlan): Promise<TestResult[]> {
  if (plan.tests.length === 0) return [];
  const module = await loadTier(plan, { mode: "module", channelsInMemory: true });
  const build = module["buildTopology"] as (env: EnvReader) => AgentTopology;
  return plan.tests.map((test) => {
    // Each test gets fresh components: one test's events can't leak into another's channels.
    const topology = build(new EnvReader({}));
    const failure = runTest(test, topology, plan);
    return { tier: plan.tier, name: test.name, line: test.line, ...(failure === undefined ? {} : { failure }) };
  });
}

function runTest(test: TestPlan, topology: AgentTopology, plan: TierPlan): TestFailure | undefined {
  let reached: { channel: string; event: FlowEvent }[] = [];
  for (const step of test.steps) {
    switch (step.step) {
      case "send": {
        const source = topology.sources.find((candidate) => candidate.name === step.source);
        if (source === undefined) return { line: step.line, message: `no source \`${step.source}\` in tier \`${plan.tier}\`` };
        source.processor.process([new FlowEvent({ ...step.headers }, Buffer.from(step.body, "utf8"))]);
        reached = drain(topology.channels);
        break;
      }
      case "expectChannels": {
        const got = [...new Set(reached.map((r) => r.channel))].sort();
        const want = [...step.channels].sort();
        if (got.join(",") !== want.join(",")) {
          return { line: step.line, message: `expected the event in ${list(want)}, but it reached ${got.length === 0 ? "no channel (it was dropped)" : list(got)}` };
        }
        break;
      }
      case "expectDropped":
        if (reached.length > 0) return { line: step.line, message: `expected the event to be dropped, but it reached ${list([...new Set(reached.map((r) => r.channel))])}` };
        break;
      case "expectHeaders": {
        const event = reached[0]?.event;
        if (event === undefined) return { line: step.line, message: "expected headers, but the event was dropped" };
        for (const [name, value] of Object.entries(step.headers)) {
          const actual = Object.hasOwn(event.headers, name) ? event.headers[name] : undefined;
          if (actual !== value) {
            return { line: step.line, message: `expected header \`${name}\` = ${JSON.stringify(value)}, found ${actual === undefined ? "no such header" : JSON.stringify(actual)}` };
          }
        }
        break;
      }
    }
  }
  return undefined;
}

/** Takes everything out of every channel, in channel order. */
function drain(channels: readonly Channel[]): { channel: string; event: FlowEvent }[] {
  const reached: { channel: string; event: FlowEvent }[] = [];
  for (const channel of channels) {
    const txn = channel.beginTake();
    for (const event of txn.take(Number.MAX_SAFE_INTEGER)) reached.push({ channel: channel.name, event });
    txn.commit();
  }
  return reached;
}

function list(names: readonly string[]): string {
  return names.map((name) => `\`${name}\``).join(", ");
}
