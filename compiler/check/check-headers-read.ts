import type { PropertySpec } from "../../runtime/spec";
import type { RouteDecl } from "../ast";
import { type DiagnosticBag, listNames, nearestNames, type SourceFile, type Span } from "../diagnostics";
import type { CheckedComponent, CheckedRoute, Edge } from "./checked-model";
import { ConditionLogic } from "./condition-logic";
import { headerEscapes, spanInString } from "./header-escapes";
import { addHeadersOf, emptyHeaders, headersOfSource, type HeadersSet } from "./headers-set";

/** A header a sink or channel reads, from a property marked `readsHeaders`, with where to point at it. */
interface HeaderRead {
  readonly name: string;
  readonly property: string;
  readonly span: Span;
  /** Set when the value comes from a shared definition: the span is then the component's kind. */
  readonly definition?: string;
}

/** One way events enter a channel: a source wired to it, or a route arm of a source that targets it. */
interface Feed {
  readonly source: CheckedComponent;
  readonly headers: HeadersSet;
  /** For a route arm: whether the events taking it certainly lack a header. */
  readonly excludes?: (header: string) => boolean;
  readonly arm?: { readonly line: number; readonly isElse: boolean };
}

/**
 * Warns (FLOW4022) when a sink (a member of a group included) or a channel reads a header that no event
 * reaching it can carry: a property marked `readsHeaders` names it (`name`) or reads it through a
 * `%{name}` escape (`template`). The events reaching a sink are those of the sources wired or routed to
 * its channel, with the headers each source and its interceptors set (as for FLOW4015); a source whose
 * senders choose the headers (`{ any: true }`) satisfies every read, unless the route arms feeding the
 * channel only take events without the header. Only values written in the file are checked: an `env()`
 * value is known at start only, and a default the user did not write is the kind's business (a kind
 * reading a header by default treats it as optional, like a Kafka key), so it is not reported.
 */
export function checkHeadersRead(
  components: readonly CheckedComponent[],
  edges: readonly Edge[],
  routes: readonly CheckedRoute[],
  declared: readonly RouteDecl[],
  file: SourceFile,
  diagnostics: DiagnosticBag,
): void {
  const byName = new Map(components.map((c) => [c.decl.name.text, c]));
  const sourceHeaders = new Map<CheckedComponent, HeadersSet>();
  const headersOf = (source: CheckedComponent): HeadersSet => {
    let headers = sourceHeaders.get(source);
    if (headers === undefined) sourceHeaders.set(source, (headers = headersOfSource(source)));
    return headers;
  };
  const routeFeeds = routeFeedsByChannel(routes, declared, byName, headersOf, file);

  for (const reader of components) {
    if (reader.decl.role !== "sink" && reader.decl.role !== "channel") continue;
    const reads = headersReadBy(reader, file);
    if (reads.length === 0) continue;
    const channel = reader.decl.role === "channel" ? reader : channelOf(reader, components, edges, byName);
    if (channel === undefined) continue;
    const feeds: Feed[] = [
      ...edges.flatMap((edge) => {
        const source = edge.to === channel.decl.name.text ? byName.get(edge.from) : undefined;
        return source?.decl.role === "source" ? [{ source, headers: headersOf(source) }] : [];
      }),
      ...(routeFeeds.get(channel.decl.name.text) ?? []),
    ];
    // A sink or channel that nothing feeds was reported (FLOW4003, FLOW4006): nothing to say about its headers.
    if (feeds.length === 0) continue;
    // A channel may add headers of its own (one that reads events others wrote, say), which its sinks see;
    // a channel reads the headers of events as they are put.
    const fromChannel = emptyHeaders();
    if (channel !== reader) addHeadersOf(fromChannel, channel.spec, channel.properties);
    const reported = new Set<string>();
    for (const read of reads) {
      if (reported.has(read.name) || fromChannel.any || fromChannel.names.has(read.name)) continue;
      const carrying = feeds.filter((feed) => feed.headers.any || feed.headers.names.has(read.name));
      if (carrying.some((feed) => feed.excludes?.(read.name) !== true)) continue;
      reported.add(read.name);
      report(read, reader, channel, feeds, carrying, file, diagnostics);
    }
  }
}

function report(read: HeaderRead, reader: CheckedComponent, channel: CheckedComponent, feeds: readonly Feed[], carrying: readonly Feed[], file: SourceFile, diagnostics: DiagnosticBag): void {
  const header = read.name;
  const sources = [...new Set(feeds.map((feed) => feed.source.decl.name.text))];
  const example = `\`| static(key = "${header}", value = "…")\``;
  let label: string;
  let help: string;
  const excludedBy = carrying[0];
  if (excludedBy?.arm !== undefined) {
    // Sources set it, but only events without it take the arms that lead to this component.
    label = "the route arms feeding it take only events without it";
    const arm = excludedBy.arm.isElse ? `the \`else\` arm on line ${excludedBy.arm.line}` : `the arm on line ${excludedBy.arm.line}`;
    help = `events of \`${excludedBy.source.decl.name.text}\` reach channel \`${channel.decl.name.text}\` through ${arm}, which only events without \`${header}\` take`;
  } else {
    label = "nothing upstream sets it";
    const known = [...new Set(feeds.flatMap((feed) => [...feed.headers.names]))].sort();
    // Header names are case-sensitive (Flume's syslog headers are `Severity`, `Facility`): a near miss is most likely.
    const near = nearestNames(header, known);
    help =
      near.length > 0
        ? `a header with a similar name is set: ${listNames(near)}${near.some((name) => name.toLowerCase() === header.toLowerCase()) ? " (header names are case-sensitive)" : ""}`
        : known.length > 0
          ? `the events reaching \`${reader.decl.name.text}\` carry ${known.map((h) => `\`${h}\``).join(", ")}; set \`${header}\` with an interceptor on ${listNames(sources)}, e.g. ${example}`
          : `set it with an interceptor on ${listNames(sources)}, e.g. ${example}`;
  }
  if (read.definition !== undefined) label = `\`${read.property}\` of definition \`${read.definition}\` reads header \`${header}\``;
  diagnostics.report("FLOW4022", file, read.span, `header \`${header}\` is never set on the events that reach \`${reader.decl.name.text}\``, { label, help });
}

/** The headers a component's written properties read, in the order written. */
function headersReadBy(component: CheckedComponent, file: SourceFile): HeaderRead[] {
  const reads: HeaderRead[] = [];
  for (const [property, spec] of Object.entries(component.spec.properties) as [string, PropertySpec][]) {
    if (spec.readsHeaders === undefined) continue;
    const value = component.properties.get(property);
    // Unset (a default), from `env()`, or reported as wrong: nothing known to check.
    if (value?.kind !== "literal") continue;
    const texts = typeof value.value === "string" ? [value.value] : Array.isArray(value.value) ? value.value.filter((item): item is string => typeof item === "string") : [];
    const written = component.decl.properties.find((p) => p.name.text === property)?.value;
    texts.forEach((text, index) => {
      const literal = written === undefined ? undefined : written.$type === "ListValue" ? written.items[index] : written;
      const at = (start: number, end: number): Pick<HeaderRead, "span" | "definition"> =>
        literal === undefined
          ? { span: component.decl.kind.span, definition: component.decl.kind.text }
          : { span: literal.$type === "StringValue" ? spanInString(file, literal.span, start, end) : literal.span };
      if (spec.readsHeaders === "name") {
        if (text !== "") reads.push({ name: text, property, ...at(0, text.length) });
      } else {
        for (const escape of headerEscapes(text)) reads.push({ name: escape.name, property, ...at(escape.start, escape.end) });
      }
    });
  }
  return reads;
}

/** The channel a sink takes from, directly or through its group. */
function channelOf(sink: CheckedComponent, components: readonly CheckedComponent[], edges: readonly Edge[], byName: ReadonlyMap<string, CheckedComponent>): CheckedComponent | undefined {
  const name = sink.decl.name.text;
  const taker = components.find((c) => c.decl.role === "group" && c.members.includes(name))?.decl.name.text ?? name;
  const channel = byName.get(edges.find((edge) => edge.to === taker)?.from ?? "");
  return channel?.decl.role === "channel" ? channel : undefined;
}

/** For each channel, the route arms that send events to it, with what each arm tells about headers. */
function routeFeedsByChannel(
  routes: readonly CheckedRoute[],
  declared: readonly RouteDecl[],
  byName: ReadonlyMap<string, CheckedComponent>,
  headersOf: (source: CheckedComponent) => HeadersSet,
  file: SourceFile,
): Map<string, Feed[]> {
  const feeds = new Map<string, Feed[]>();
  for (const route of routes) {
    const source = byName.get(route.source);
    if (source === undefined) continue;
    const logic = new ConditionLogic();
    const formulas = route.arms.map((arm) => logic.formula(arm.condition));
    // checkRoutes keeps a source's first route, arm for arm.
    const written = declared.find((decl) => decl.source.text === route.source);
    route.arms.forEach((arm, index) => {
      const formula = formulas[index];
      const keyword = written?.arms[index]?.keyword;
      if (formula === undefined || keyword === undefined) return;
      const earlier = formulas.slice(0, index);
      const feed: Feed = {
        source,
        headers: headersOf(source),
        excludes: (header) => logic.excludesHeader(formula, earlier, header) === true,
        arm: { line: file.position(keyword.start).line, isElse: arm.condition === undefined },
      };
      for (const target of arm.targets) {
        const list = feeds.get(target.name) ?? [];
        list.push(feed);
        feeds.set(target.name, list);
      }
    });
  }
  return feeds;
}
