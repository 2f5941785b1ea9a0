import type { ComponentDecl, Name, Target, TierDecl } from "../ast";
import { type DiagnosticBag, listNames, nearestNames, type SourceFile } from "../diagnostics";
import type { CheckedComponent, Edge } from "./checked-model";

/** Which role may feed which: events go source → channel → sink (or a group of sinks). */
function canFeed(from: ComponentDecl["role"], to: ComponentDecl["role"]): boolean {
  return (from === "source" && to === "channel") || (from === "channel" && (to === "sink" || to === "group"));
}

const EXAMPLE_DECLARATION: Record<ComponentDecl["role"], string> = {
  source: "source NAME = tcp { port = 5140 }",
  channel: "channel NAME = memory {}",
  sink: 'sink NAME = files { path = "NAME.log" }',
  group: "group NAME = failover { sinks = [a, b] }",
};

/** Resolves names used in a tier's wirings, routes and tests, with "did you mean" help. */
export class TierNames {
  readonly byName = new Map<string, ComponentDecl>();
  /** Components near a misspelt name that was reported: "not wired" errors for them would repeat it. */
  readonly suspect = new Set<string>();

  constructor(
    readonly tier: TierDecl,
    /** Every tier of the topology, to say when a name belongs to another one. */
    private readonly allTiers: readonly TierDecl[],
    private readonly file: SourceFile,
    private readonly diagnostics: DiagnosticBag,
  ) {
    for (const component of tier.components) if (!this.byName.has(component.name.text)) this.byName.set(component.name.text, component);
  }

  /** `expected` only shapes the help's example declaration. */
  resolve(step: Name, expected: ComponentDecl["role"] = "channel"): ComponentDecl | undefined {
    const found = this.byName.get(step.text);
    if (found !== undefined) return found;
    const near = nearestNames(step.text, [...this.byName.keys()]);
    for (const suggestion of near) this.suspect.add(suggestion);
    const nearest = near[0] === undefined ? undefined : this.byName.get(near[0]);
    const elsewhere = this.allTiers.find((tier) => tier !== this.tier && tier.components.some((c) => c.name.text === step.text));
    this.diagnostics.report("FLOW2001", this.file, step.span, `unknown component \`${step.text}\``, {
      label: `not declared in tier \`${this.tier.name.text}\``,
      help:
        elsewhere !== undefined
          ? `\`${step.text}\` is declared in tier \`${elsewhere.name.text}\`; a tier wires only its own components (tiers are linked by \`forward\` sinks)`
          : nearest !== undefined
            ? `a ${nearest.role} with a similar name exists: ${listNames(near)}`
            : `declare it in this tier, e.g. \`${EXAMPLE_DECLARATION[expected].replaceAll("NAME", step.text)}\``,
    });
    return undefined;
  }
}

/**
 * Turns wirings into links and checks each: source → channel, channel → sink or group, `optional` only on
 * a source's channels, each link once. Returns the links and the components on links already reported.
 */
export function checkWirings(tier: TierDecl, names: TierNames, file: SourceFile, diagnostics: DiagnosticBag): { edges: Edge[]; onBrokenLink: Set<string> } {
  const edges: Edge[] = [];
  const onBrokenLink = new Set<string>();
  for (const wiring of tier.wirings) {
    const steps = wiring.steps.map((step) => step.map((target) => ({ target, decl: names.resolve(target.name) })));
    for (let i = 0; i + 1 < steps.length; i++) {
      for (const from of steps[i] ?? []) {
        for (const to of steps[i + 1] ?? []) {
          if (from.decl === undefined || to.decl === undefined || !canFeed(from.decl.role, to.decl.role)) {
            if (from.decl !== undefined) onBrokenLink.add(from.decl.name.text);
            if (to.decl !== undefined) onBrokenLink.add(to.decl.name.text);
            if (from.decl !== undefined && to.decl !== undefined) reportInvalidLink(from.decl, to.decl, to.target.name, file, diagnostics);
            continue;
          }
          if (to.target.optional && from.decl.role !== "source") reportOptionalMisplaced(to.target, file, diagnostics);
          if (edges.some((edge) => edge.from === from.decl?.name.text && edge.to === to.decl?.name.text)) {
            diagnostics.report("FLOW4007", file, { start: from.target.span.start, end: to.target.span.end }, `\`${from.decl.name.text} -> ${to.decl.name.text}\` is wired twice`, {
              label: "already wired above",
            });
            continue;
          }
          edges.push({ from: from.decl.name.text, to: to.decl.name.text, optional: to.target.optional && from.decl.role === "source" });
        }
      }
    }
  }
  return { edges, onBrokenLink };
}

export function reportOptionalMisplaced(target: Target, file: SourceFile, diagnostics: DiagnosticBag): void {
  diagnostics.report("FLOW4010", file, target.span, `\`optional\` applies to the channels a source feeds, not to \`${target.name.text}\``, {
    label: "not a channel after a source",
    help: "write `source -> main, optional spill` or use `optional` in a route arm",
  });
}

/** Checks that group members are sinks of the tier, fed only through their group, and in one group each. */
export function checkGroupMembers(components: readonly CheckedComponent[], edges: readonly Edge[], names: TierNames, file: SourceFile, diagnostics: DiagnosticBag): Set<string> {
  const memberOf = new Map<string, string>();
  for (const group of components.filter((c) => c.decl.role === "group")) {
    const listed = group.decl.properties.find((p) => p.name.text === "sinks")?.value;
    const spans = listed?.$type === "ListValue" ? listed.items.map((item) => item.span) : [];
    group.members.forEach((member, index) => {
      const span = spans[index] ?? group.decl.name.span;
      const decl = names.resolve({ $type: "Name", text: member, span }, "sink");
      if (decl === undefined) return;
      if (decl.role !== "sink") {
        diagnostics.report("FLOW4019", file, span, `\`${member}\` is a ${decl.role}, and groups hold sinks`, { label: "not a sink" });
        return;
      }
      const other = memberOf.get(member);
      if (other !== undefined) {
        diagnostics.report("FLOW4009", file, span, `sink \`${member}\` is already in group \`${other}\``, {
          label: `second group for \`${member}\``,
          help: "a sink belongs to at most one group; declare another sink for the second group",
        });
        return;
      }
      memberOf.set(member, group.decl.name.text);
      const direct = edges.find((edge) => edge.to === member);
      if (direct !== undefined) {
        const wiring = names.tier.wirings.flatMap((w) => w.steps.flat()).find((target) => target.name.text === member);
        diagnostics.report("FLOW4008", file, wiring?.span ?? span, `sink \`${member}\` is in group \`${group.decl.name.text}\` and also wired from channel \`${direct.from}\``, {
          label: "fed here directly",
          help: `wire the channel to the group instead: \`${direct.from} -> ${group.decl.name.text}\``,
        });
      }
    });
  }
  return new Set(memberOf.keys());
}

/**
 * Every source feeds a channel (or is routed), every channel has a sink and a source, every sink or group
 * reads exactly one channel (a group's members are fed through it).
 */
export function checkCompleteness(
  tier: TierDecl,
  edges: readonly Edge[],
  routedSources: ReadonlySet<string>,
  routeTargets: ReadonlySet<string>,
  members: ReadonlySet<string>,
  exempt: ReadonlySet<string>,
  file: SourceFile,
  diagnostics: DiagnosticBag,
): void {
  const seen = new Set<string>();
  for (const component of tier.components) {
    const name = component.name.text;
    if (seen.has(name) || exempt.has(name)) continue;
    seen.add(name);
    const outgoing = edges.some((edge) => edge.from === name);
    const incoming = edges.filter((edge) => edge.to === name);
    switch (component.role) {
      case "source":
        if (!outgoing && !routedSources.has(name)) {
          diagnostics.report("FLOW4001", file, component.name.span, `source \`${name}\` feeds no channel`, {
            label: "events accepted here would have nowhere to go",
            help: `wire it to a channel: \`${name} -> <channel>\``,
          });
        }
        break;
      case "channel":
        if (!outgoing) {
          diagnostics.report("FLOW4002", file, component.name.span, `channel \`${name}\` has no sink`, {
            label: "nothing takes events out of this channel",
            help: `wire it to a sink: \`${name} -> <sink>\``,
          });
        }
        if (incoming.length === 0 && !routeTargets.has(name)) {
          diagnostics.report("FLOW4006", file, component.name.span, `channel \`${name}\` receives from no source`, {
            label: "nothing writes to this channel",
          });
        }
        break;
      case "sink":
      case "group":
        if (incoming.length === 0 && !members.has(name)) {
          diagnostics.report("FLOW4003", file, component.name.span, `${component.role} \`${name}\` reads no channel`, {
            label: `this ${component.role} would never deliver anything`,
            help: `wire a channel to it: \`<channel> -> ${name}\``,
          });
        }
        if (incoming.length > 1) {
          const second = incoming[1] as Edge;
          const target = tier.wirings.flatMap((w) => w.steps.flat()).filter((t) => t.name.text === name)[1];
          diagnostics.report("FLOW4005", file, target?.span ?? component.name.span, `${component.role} \`${name}\` reads more than one channel`, {
            label: `already reads channel \`${(incoming[0] as Edge).from}\``,
            help: `a ${component.role} takes from exactly one channel; declare one per channel (\`${second.from}\` needs its own)`,
          });
        }
        break;
    }
  }
}

function reportInvalidLink(from: ComponentDecl, to: ComponentDecl, toName: Name, file: SourceFile, diagnostics: DiagnosticBag): void {
  const expected = from.role === "source" ? "a channel" : from.role === "channel" ? "a sink or a group" : undefined;
  diagnostics.report("FLOW4004", file, toName.span, `${from.role} \`${from.name.text}\` cannot feed ${to.role} \`${to.name.text}\``, {
    label: expected === undefined ? `a ${from.role} is the end of a flow` : `expected ${expected}`,
    help:
      from.role === "source" && (to.role === "sink" || to.role === "group")
        ? `put a channel between them: \`${from.name.text} -> <channel> -> ${to.name.text}\``
        : "events flow `source -> channel -> sink`",
  });
}
