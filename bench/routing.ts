// Specialised routing vs a generic interpreter of the same plan (issue 5): a 10-arm route with 3
// interceptors, events of ~200 B. Both run through the same RoutedProcessor, interceptors and memory
// channels; only the route differs: the code flowc generates (loaded from the real pipeline) against a
// function that walks the plan's conditions per event, as a configuration-driven agent would.
//   npx tsx bench/routing.ts [--events N] [--runs N]
import { parseArgs } from "node:util";
import type { AgentTopology } from "../runtime/agent/run-agent";
import { EnvReader } from "../runtime/agent/env-reader";
import type { Channel } from "../runtime/core/channel";
import type { ChannelProcessor } from "../runtime/core/component";
import { FlowEvent } from "../runtime/core/event";
import { RoutedProcessor } from "../runtime/processors/routed-processor";
import type { Interceptor } from "../runtime/core/component";
import { compileSource } from "../compiler/pipeline";
import type { PlanCondition, TierPlan } from "../compiler/ir";
import { loadTier } from "../compiler/run/load-bundle";
import * as runtime from "../runtime/index";

const { values } = parseArgs({ options: { events: { type: "string", default: "2000000" }, runs: { type: "string", default: "5" } } });
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const BATCH = 1_000;
const SERVICES = ["api", "web", "auth", "payments", "search", "cart", "mail", "media", "admin", "batch"];

const FLOW = `
tier bench {
  source s = tcp { port = 0 }
    | regex_extractor(regex = /service=(?<service>[a-z]+) level=(?<level>[A-Z]+)/)
    | static(key = "dc", value = "eu-1")
    | timestamp()
  channel c0 = memory {} channel c1 = memory {} channel c2 = memory {} channel c3 = memory {} channel c4 = memory {}
  channel c5 = memory {} channel c6 = memory {} channel c7 = memory {} channel c8 = memory {} channel rest = memory {}
  sink k0 = files { path = "0" } sink k1 = files { path = "1" } sink k2 = files { path = "2" } sink k3 = files { path = "3" } sink k4 = files { path = "4" }
  sink k5 = files { path = "5" } sink k6 = files { path = "6" } sink k7 = files { path = "7" } sink k8 = files { path = "8" } sink kr = files { path = "r" }
  route s {
    when header.level in ["ERROR", "FATAL"] and header.service == "payments" -> c0, c9
    when header.service == "api" and body ~ /timeout/ -> c1
    when header.service == "web" -> c2
    when header.service == "auth" and header.level != "DEBUG" -> c3
    when header.service in ["search", "cart"] -> c4
    when body ~ /GET \\/health/ -> c5
    when header.service == "mail" or header.service == "media" -> c6
    when header.service == "admin" and header.dc exists -> c7
    when not header.level exists -> c8
    else -> rest
  }
  c0 -> k0  c1 -> k1  c2 -> k2  c3 -> k3  c4 -> k4  c5 -> k5  c6 -> k6  c7 -> k7  c8 -> k8  rest -> kr
}`.replace(", c9", "");

/** Evaluates a plan condition by walking it, as a generic (configuration-driven) router does. */
function evaluate(condition: PlanCondition, event: FlowEvent, regexes: Map<string, RegExp>): boolean {
  if ("any" in condition) return condition.any.some((c) => evaluate(c, event, regexes));
  if ("all" in condition) return condition.all.every((c) => evaluate(c, event, regexes));
  if ("not" in condition) return !evaluate(condition.not, event, regexes);
  const value = "body" in condition.subject ? event.bodyText() : Object.hasOwn(event.headers, condition.subject.header) ? event.headers[condition.subject.header] : undefined;
  switch (condition.test) {
    case "exists":
      return value !== undefined;
    case "equals":
      return value === condition.value;
    case "oneOf":
      return value !== undefined && condition.values.includes(value);
    case "matches": {
      const key = `/${condition.pattern}/${condition.flags}`;
      let regex = regexes.get(key);
      if (regex === undefined) regexes.set(key, (regex = new RegExp(condition.pattern, condition.flags)));
      return value !== undefined && regex.test(value);
    }
  }
}

/** Interceptors built from the plan by implementation name, as a configuration-driven agent builds them. */
function interceptorsFromPlan(plan: TierPlan): Interceptor[] {
  const exports = runtime as unknown as Record<string, new (id: string, config: unknown) => Interceptor>;
  return plan.sources[0]!.interceptors.flatMap((interceptor) =>
    interceptor.role === "interceptor" ? [new exports[interceptor.implementation]!(interceptor.id, interceptor.config)] : [],
  );
}

/** The same route, interpreted: arms and channel indexes looked up per event. */
function interpretedProcessor(plan: TierPlan, channels: readonly Channel[], interceptors: readonly Interceptor[]): ChannelProcessor {
  const arms = plan.sources[0]!.route!;
  const index = new Map(channels.map((channel, i) => [channel.name, i]));
  const regexes = new Map<string, RegExp>();
  return new RoutedProcessor({
    required: channels,
    interceptors,
    route(events, required) {
      for (const event of events) {
        const arm = arms.find((candidate) => candidate.condition === undefined || evaluate(candidate.condition, event, regexes));
        for (const target of arm?.targets ?? []) required[index.get(target.channel)!]!.push(event);
      }
    },
  });
}

function batches(): FlowEvent[][] {
  const text: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const level = ["INFO", "INFO", "WARN", "ERROR", "DEBUG"][i % 5];
    const extra = i % 7 === 0 ? "GET /health" : i % 11 === 0 ? "timeout" : "ok";
    text.push(`ts=${i} service=${SERVICES[i % SERVICES.length]} level=${level} msg="${extra}" `.padEnd(199, "x"));
  }
  return [text.map((line) => Buffer.from(line))].map((bodies) => bodies.map((body) => new FlowEvent({}, body)));
}

function measure(processor: ChannelProcessor, channels: readonly Channel[]): number {
  const template = batches()[0]!;
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    // Fresh events each batch (interceptors change headers), sharing the bodies like a socket source.
    const batch = template.map((event) => new FlowEvent({}, event.body));
    processor.process(batch);
    for (const channel of channels) {
      const txn = channel.beginTake();
      txn.take(BATCH);
      txn.commit();
    }
  }
  return EVENTS / ((performance.now() - started) / 1000);
}

const result = compileSource("bench.flow", FLOW);
if (result.plans === undefined) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
const plan = result.plans[0]!;
const module = await loadTier(plan, { mode: "module", channelsInMemory: true });
const build = module["buildTopology"] as (env: EnvReader) => AgentTopology;

const specialised: number[] = [];
const interpreted: number[] = [];
for (let run = 0; run <= RUNS; run++) {
  const generated = build(new EnvReader({}));
  const a = measure(generated.sources[0]!.processor, generated.channels);
  const other = build(new EnvReader({}));
  const b = measure(interpretedProcessor(plan, other.channels, interceptorsFromPlan(plan)), other.channels);
  if (run === 0) continue; // warm-up
  specialised.push(a);
  interpreted.push(b);
}
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
process.stdout.write(`routing_specialised: ${Math.round(median(specialised))} events/s\n`);
process.stdout.write(`routing_interpreted: ${Math.round(median(interpreted))} events/s\n`);
process.stdout.write(`routing_speedup: ${(median(specialised) / median(interpreted)).toFixed(2)} x\n`);
