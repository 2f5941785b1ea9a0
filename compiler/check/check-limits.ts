import type { DiagnosticBag, SourceFile } from "../diagnostics";
import type { CheckedComponent, CheckedRoute, Edge, ResolvedValue } from "./checked-model";

/**
 * Limits between connected components, by the property names all specs share: a `batch_size` may not
 * exceed the `transaction_capacity` of the channel it puts into or takes from (Flume refuses to start
 * such a component), and two sources of a tier may not listen on one `port`. Values from `env()` are
 * only known at start and are not compared.
 */
export function checkLimits(
  components: readonly CheckedComponent[],
  edges: readonly Edge[],
  routes: readonly CheckedRoute[],
  file: SourceFile,
  diagnostics: DiagnosticBag,
): void {
  const byName = new Map(components.map((c) => [c.decl.name.text, c]));
  const number = (component: CheckedComponent, key: string): number | undefined => literalNumber(component.properties.get(key)) ?? defaultNumber(component, key);
  const links: Edge[] = [...edges, ...routes.flatMap((route) => route.arms.flatMap((arm) => arm.targets.map((t) => ({ from: route.source, to: t.name, optional: t.optional }))))];
  const reported = new Set<string>();
  for (const link of links) {
    const from = byName.get(link.from);
    const to = byName.get(link.to);
    if (from === undefined || to === undefined) continue;
    const channel = from.decl.role === "channel" ? from : to;
    const other = channel === from ? to : from;
    const capacity = number(channel, "transaction_capacity");
    // A group takes one batch for whichever member delivers it: every member's batch must fit.
    const batchers = other.decl.role === "group" ? other.members.flatMap((m) => byName.get(m) ?? []) : [other];
    for (const batcher of batchers) {
      const batch = number(batcher, "batch_size");
      const key = `${batcher.decl.name.text}->${channel.decl.name.text}`;
      if (capacity === undefined || batch === undefined || batch <= capacity || reported.has(key)) continue;
      reported.add(key);
      const setBatch = batcher.decl.properties.find((p) => p.name.text === "batch_size");
      diagnostics.report("FLOW4016", file, setBatch?.value.span ?? batcher.decl.name.span, `${batcher.decl.role} \`${batcher.decl.name.text}\` has batch_size ${batch}, more than the transaction_capacity ${capacity} of channel \`${channel.decl.name.text}\``, {
        label: "batch too large for the channel",
        help: `lower \`batch_size\` to at most ${capacity}, or raise \`transaction_capacity\` of \`${channel.decl.name.text}\``,
      });
    }
  }

  const ports = new Map<number, CheckedComponent>();
  for (const source of components.filter((c) => c.decl.role === "source")) {
    const port = literalNumber(source.properties.get("port"));
    if (port === undefined || port === 0) continue;
    const first = ports.get(port);
    if (first === undefined) {
      ports.set(port, source);
      continue;
    }
    const span = source.decl.properties.find((p) => p.name.text === "port")?.value.span ?? source.decl.name.span;
    diagnostics.report("FLOW4017", file, span, `sources \`${first.decl.name.text}\` and \`${source.decl.name.text}\` both listen on port ${port}`, {
      label: "port already taken in this tier",
      help: "give each source its own port",
    });
  }
}

function literalNumber(value: ResolvedValue | undefined): number | undefined {
  return value?.kind === "literal" && typeof value.value === "number" ? value.value : undefined;
}

function defaultNumber(component: CheckedComponent, key: string): number | undefined {
  if (component.properties.has(key)) return undefined;
  const fallback = component.spec.properties[key]?.default;
  return typeof fallback === "number" ? fallback : undefined;
}
