import type { ChannelTarget, ComponentPlan, InterceptorPlan, PlanValue, RouteArmPlan, SourcePlan, TierPlan } from "../ir";
import { ConditionCompiler, declareLocals } from "./condition-code";
import { isEnvValue, isMapValue } from "../ir";

/** The generated text of one tier: module constants, then the body of `buildTopology(env)`. */
export interface TopologyCode {
  readonly constants: readonly string[];
  readonly body: readonly string[];
  /** Runtime exports the code uses. */
  readonly imports: ReadonlySet<string>;
}

const variable = (component: { role: string; id: string }): string => `${component.role}_${component.id}`;

/**
 * Writes the construction of a tier as straight-line code: each component with its properties as
 * constants, each source's processor with its interceptors as direct objects and its route as one loop
 * of `if`/`else` per event, each sink or group with its runner. Nothing is interpreted at run time.
 */
export function topologyCode(plan: TierPlan): TopologyCode {
  const conditions = new ConditionCompiler("cond");
  const imports = new Set<string>(["runAgent"]);
  const body: string[] = [];
  const construct = (component: ComponentPlan, extra = ""): void => {
    imports.add(component.implementation);
    body.push(`// ${component.role} \`${component.id}\` (${plan.sourceFile}:${component.line})`);
    body.push(`const ${variable(component)} = new ${component.implementation}(${JSON.stringify(component.id)}, ${config(component)}${extra});`);
  };

  for (const channel of plan.channels) construct(channel);
  for (const sink of plan.sinks) construct(sink);
  for (const group of plan.groups) construct(group, `, [${group.members.map((m) => `sink_${m}`).join(", ")}]`);
  for (const source of plan.sources) {
    const interceptors = source.interceptors.map((interceptor) => interceptorCode(interceptor, plan, conditions, body, imports));
    const processor = source.route === undefined ? replicating(source.targets, interceptors, imports) : routed(source, source.route, interceptors, conditions, imports);
    construct(source, `, ${processor}`);
  }

  imports.add("SinkRunner");
  const runners = [
    ...plan.sinks.flatMap((sink) => (sink.channel === undefined ? [] : [`new SinkRunner(sink_${sink.id}, channel_${sink.channel})`])),
    ...plan.groups.map((group) => `new SinkRunner(group_${group.id}, channel_${group.channel})`),
  ];
  body.push(
    "return {",
    `  channels: [${plan.channels.map(variable).join(", ")}],`,
    `  sinkRunners: [${runners.join(", ")}],`,
    `  sources: [${plan.sources.map(variable).join(", ")}],`,
    "};",
  );
  for (const name of conditions.imports) imports.add(name);
  return { constants: conditions.constants, body, imports };
}

function config(component: { config: Readonly<Record<string, PlanValue>> }): string {
  const entries = Object.entries(component.config).map(([key, value]) => `${key}: ${planValue(value)}`);
  return `{ ${entries.join(", ")} }`;
}

function planValue(value: PlanValue): string {
  if (isEnvValue(value)) return `env.read(identity.env[${value.$env}]!)`;
  if (isMapValue(value)) return `{ ${Object.entries(value.$map).map(([name, entry]) => `${JSON.stringify(name)}: ${planValue(entry)}`).join(", ")} }`;
  return JSON.stringify(value);
}

/** Declares the interceptor in `body` and returns its variable. */
function interceptorCode(interceptor: InterceptorPlan, plan: TierPlan, conditions: ConditionCompiler, body: string[], imports: Set<string>): string {
  const name = `interceptor_${interceptor.id}`;
  if (interceptor.role === "interceptor") {
    imports.add(interceptor.implementation);
    body.push(`// interceptor \`${interceptor.kind}\` (${plan.sourceFile}:${interceptor.line})`);
    body.push(`const ${name} = new ${interceptor.implementation}(${JSON.stringify(interceptor.id)}, ${config(interceptor)});`);
    return name;
  }
  imports.add("FlowEvent").add("Interceptor");
  const locals = new Map<string, string>();
  const test = conditions.expression(interceptor.condition, locals);
  body.push(
    `// drop(…) (${plan.sourceFile}:${interceptor.line}): keeps, in order, the events the condition does not match`,
    `const ${name}: Interceptor = {`,
    `  name: ${JSON.stringify(interceptor.id)},`,
    "  intercept(events: FlowEvent[]): FlowEvent[] {",
    "    let kept = 0;",
    "    for (let i = 0; i < events.length; i++) {",
    "      const event = events[i]!;",
    ...(locals.size > 0 ? ["      const headers = event.headers;", ...declareLocals(locals, "      ")] : []),
    `      if (!(${test})) events[kept++] = event;`,
    "    }",
    "    events.length = kept;",
    "    return events;",
    "  },",
    "};",
  );
  return name;
}

function replicating(targets: readonly ChannelTarget[], interceptors: readonly string[], imports: Set<string>): string {
  imports.add("ReplicatingProcessor");
  const list = (optional: boolean): string => targets.filter((t) => t.optional === optional).map((t) => `channel_${t.channel}`).join(", ");
  return `new ReplicatingProcessor({ required: [${list(false)}], optional: [${list(true)}], interceptors: [${interceptors.join(", ")}] })`;
}

/**
 * A `RoutedProcessor` whose `route` is the arms as an `if`/`else if` chain inside one loop. A channel an
 * arm names as required gets the event in its required array; as optional, in its optional array.
 */
function routed(source: SourcePlan, arms: readonly RouteArmPlan[], interceptors: readonly string[], conditions: ConditionCompiler, imports: Set<string>): string {
  imports.add("RoutedProcessor");
  const required: string[] = [];
  const optional: string[] = [];
  for (const arm of arms) {
    for (const target of arm.targets) {
      const list = target.optional && !arm.targets.some((t) => t.channel === target.channel && !t.optional) ? optional : required;
      if (!list.includes(target.channel)) list.push(target.channel);
    }
  }
  const arrayOf = (target: ChannelTarget, arm: RouteArmPlan): string =>
    target.optional && !arm.targets.some((t) => t.channel === target.channel && !t.optional) ? `optional_${target.channel}` : `required_${target.channel}`;
  const lines: string[] = [
    `new RoutedProcessor({`,
    `  required: [${required.map((c) => `channel_${c}`).join(", ")}],`,
    `  optional: [${optional.map((c) => `channel_${c}`).join(", ")}],`,
    `  interceptors: [${interceptors.join(", ")}],`,
    `  // route ${source.id}: the first matching arm decides`,
    "  route(events, required, optional) {",
    ...required.map((c, i) => `    const required_${c} = required[${i}]!;`),
    ...optional.map((c, i) => `    const optional_${c} = optional[${i}]!;`),
    "    for (let i = 0; i < events.length; i++) {",
    "      const event = events[i]!;",
  ];
  const locals = new Map<string, string>();
  const branches: string[] = [];
  arms.forEach((arm, index) => {
    const pushes = arm.targets.map((target) => `${arrayOf(target, arm)}.push(event);`).join(" ");
    const keyword = index === 0 ? "if" : "} else if";
    if (arm.condition === undefined) branches.push(index === 0 ? "      {" : "      } else {");
    else branches.push(`      ${keyword} (${conditions.expression(arm.condition, locals)}) {`);
    branches.push(`        ${pushes}`);
  });
  if (locals.size > 0) lines.push("      const headers = event.headers;", ...declareLocals(locals, "      "));
  lines.push(...branches, "      }", "    }", "  },", "})");
  return lines.join("\n");
}
