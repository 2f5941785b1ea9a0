import type { ComponentRole } from "../../runtime/spec";
import type { ComponentDecl, Name, TierDecl } from "../ast";
import { type DiagnosticBag, listNames, nearestNames, type SourceFile } from "../diagnostics";
import type { Edge } from "./checked-model";

/** Which role may feed which: events go source → channel → sink. */
const ALLOWED_TARGET: Record<ComponentRole, ComponentRole | undefined> = {
  source: "channel",
  channel: "sink",
  sink: undefined,
  interceptor: undefined,
  group: undefined,
};

/**
 * Resolves the names in wirings and checks the shape of the tier's graph: every link goes
 * source → channel or channel → sink, every source feeds a channel, every channel has a sink, every sink
 * reads exactly one channel. Returns the links, each once.
 */
export function checkGraph(tier: TierDecl, file: SourceFile, diagnostics: DiagnosticBag): Edge[] {
  const byName = new Map<string, ComponentDecl>();
  for (const component of tier.components) if (!byName.has(component.name.text)) byName.set(component.name.text, component);

  const edges: Edge[] = [];
  const edgeKeys = new Set<string>();
  // Components on a link that was already reported, or suggested as the fix for a misspelt name in one:
  // "not wired" errors for them would only repeat it.
  const onBrokenLink = new Set<string>();
  for (const wiring of tier.wirings) {
    const steps = wiring.steps.map((step) => resolve(step, byName, tier, file, diagnostics, onBrokenLink));
    for (let i = 0; i + 1 < steps.length; i++) {
      const from = steps[i];
      const to = steps[i + 1];
      const toName = wiring.steps[i + 1] as Name;
      if (from === undefined || to === undefined || ALLOWED_TARGET[from.role] !== to.role) {
        if (from !== undefined) onBrokenLink.add(from.name.text);
        if (to !== undefined) onBrokenLink.add(to.name.text);
        if (from !== undefined && to !== undefined) reportInvalidLink(from, to, toName, file, diagnostics);
        continue;
      }
      const key = `${from.name.text}->${to.name.text}`;
      if (edgeKeys.has(key)) {
        diagnostics.report("FLOW4007", file, { start: (wiring.steps[i] as Name).span.start, end: toName.span.end }, `\`${from.name.text} -> ${to.name.text}\` is wired twice`, {
          label: "already wired above",
        });
        continue;
      }
      edgeKeys.add(key);
      edges.push({ from: from.name.text, to: to.name.text });
      if (to.role === "sink") {
        const previous = edges.find((edge) => edge.to === to.name.text && edge.from !== from.name.text);
        if (previous !== undefined) {
          diagnostics.report("FLOW4005", file, toName.span, `sink \`${to.name.text}\` reads more than one channel`, {
            label: `already reads channel \`${previous.from}\``,
            help: "a sink takes from exactly one channel; declare one sink per channel",
          });
        }
      }
    }
  }

  for (const component of tier.components) {
    if (byName.get(component.name.text) !== component || onBrokenLink.has(component.name.text)) continue;
    const name = component.name.text;
    const outgoing = edges.some((edge) => edge.from === name);
    const incoming = edges.some((edge) => edge.to === name);
    if (component.role === "source" && !outgoing) {
      diagnostics.report("FLOW4001", file, component.name.span, `source \`${name}\` feeds no channel`, {
        label: "events accepted here would have nowhere to go",
        help: `wire it to a channel: \`${name} -> <channel>\``,
      });
    }
    if (component.role === "channel" && !outgoing) {
      diagnostics.report("FLOW4002", file, component.name.span, `channel \`${name}\` has no sink`, {
        label: "nothing takes events out of this channel",
        help: `wire it to a sink: \`${name} -> <sink>\``,
      });
    }
    if (component.role === "channel" && !incoming) {
      diagnostics.report("FLOW4006", file, component.name.span, `channel \`${name}\` receives from no source`, {
        label: "nothing writes to this channel",
      });
    }
    if (component.role === "sink" && !incoming) {
      diagnostics.report("FLOW4003", file, component.name.span, `sink \`${name}\` reads no channel`, {
        label: "this sink would never deliver anything",
        help: `wire a channel to it: \`<channel> -> ${name}\``,
      });
    }
  }
  return edges;
}

function resolve(
  step: Name,
  byName: ReadonlyMap<string, ComponentDecl>,
  tier: TierDecl,
  file: SourceFile,
  diagnostics: DiagnosticBag,
  onBrokenLink: Set<string>,
): ComponentDecl | undefined {
  const found = byName.get(step.text);
  if (found !== undefined) return found;
  const near = nearestNames(step.text, [...byName.keys()]);
  for (const name of near) onBrokenLink.add(name);
  const nearest = near[0] === undefined ? undefined : byName.get(near[0]);
  diagnostics.report("FLOW2001", file, step.span, `unknown component \`${step.text}\``, {
    label: `not declared in tier \`${tier.name.text}\``,
    help:
      nearest !== undefined
        ? `a ${nearest.role} with a similar name exists: ${listNames(near)}`
        : `declare it in this tier, e.g. \`channel ${step.text} = memory {}\``,
  });
  return undefined;
}

function reportInvalidLink(from: ComponentDecl, to: ComponentDecl, toName: Name, file: SourceFile, diagnostics: DiagnosticBag): void {
  const allowed = ALLOWED_TARGET[from.role];
  diagnostics.report("FLOW4004", file, toName.span, `${from.role} \`${from.name.text}\` cannot feed ${to.role} \`${to.name.text}\``, {
    label: allowed === undefined ? "a sink is the end of a flow" : `expected a ${allowed}`,
    help:
      from.role === "source" && to.role === "sink"
        ? `put a channel between them: \`${from.name.text} -> <channel> -> ${to.name.text}\``
        : "events flow `source -> channel -> sink`",
  });
}
