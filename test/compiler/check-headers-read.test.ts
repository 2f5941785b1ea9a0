import { describe, expect, it } from "vitest";
import type { ComponentDecl, DeclaredRole, Property, Value } from "../../compiler/ast";
import type { CheckedComponent, Edge, ResolvedValue } from "../../compiler/check";
import { checkHeadersRead } from "../../compiler/check/check-headers-read";
import { headerEscapes, spanInString } from "../../compiler/check/header-escapes";
import { DiagnosticBag, SourceFile, type Span } from "../../compiler/diagnostics";
import type { ComponentSpec, HeaderOrigin, PropertyValue } from "../../runtime/spec";
import { compile } from "../helpers/compile";

describe("header escapes", () => {
  it("finds `%{name}` escapes, not `%%{name}` or an unclosed one", () => {
    expect(headerEscapes("logs-%{app}-%%{not}-%{a.b-c}/%Y/%{x")).toEqual([
      { name: "app", start: 5, end: 11 },
      { name: "a.b-c", start: 20, end: 28 },
    ]);
    expect(headerEscapes("%%%{h}")).toEqual([{ name: "h", start: 2, end: 6 }]);
    expect(headerEscapes("plain")).toEqual([]);
  });

  it("maps an escape of the decoded value back to the file through string escapes", () => {
    const text = 'path = "a\\"\\u{1F600}\\t%{host}.log"';
    const file = new SourceFile("t.flow", text);
    const literal = { start: 7, end: text.length };
    // Decoded: a " 😀(two UTF-16 units) \t %{host}.log
    const decoded = 'a"\u{1F600}\t%{host}.log';
    const [escape] = headerEscapes(decoded);
    const span = spanInString(file, literal, escape?.start ?? 0, escape?.end ?? 0);
    expect(text.slice(span.start, span.end)).toBe("%{host}");
    // The emoji alone spans its whole `\u{…}` escape.
    const emoji = spanInString(file, literal, 2, 4);
    expect(text.slice(emoji.start, emoji.end)).toBe("\\u{1F600}");
    // Not a string literal: the whole span.
    expect(spanInString(file, { start: 0, end: 4 }, 0, 1)).toEqual({ start: 0, end: 4 });
  });
});

/** A sink kind the checker has never heard of: the check reads only `readsHeaders`, never a kind's name. */
const probeSink: ComponentSpec = {
  role: "sink",
  kind: "probe",
  summary: "test sink",
  implementation: "Probe",
  properties: {
    route_key: { type: { kind: "string" }, readsHeaders: "name", doc: "a header name" },
    fields: { type: { kind: "list", of: { kind: "string" } }, readsHeaders: "name", doc: "header names" },
    target: { type: { kind: "string" }, default: "%{unset_by_default}", readsHeaders: "template", doc: "a template" },
  },
};

function spec(role: ComponentSpec["role"], setsHeaders: readonly HeaderOrigin[] = []): ComponentSpec {
  return { role, kind: role, summary: "", implementation: "X", properties: { header: { type: { kind: "string" }, doc: "" } }, setsHeaders };
}

/** Lays components out as one line of text so spans point at real characters. */
class Layout {
  text = "";
  private at(piece: string): Span {
    const start = this.text.length;
    this.text += `${piece} `;
    return { start, end: start + piece.length };
  }

  component(role: DeclaredRole, name: string, componentSpec: ComponentSpec, values: Record<string, PropertyValue> = {}, extra: Partial<CheckedComponent> = {}): CheckedComponent {
    const nameSpan = this.at(name);
    const kindSpan = this.at(componentSpec.kind);
    const properties: Property[] = Object.entries(values).map(([key, value]) => {
      const keySpan = this.at(key);
      const written: Value = Array.isArray(value)
        ? { $type: "ListValue", items: value.map((item) => ({ $type: "StringValue", value: String(item), span: this.at(JSON.stringify(item)) })), span: keySpan }
        : { $type: "StringValue", value: String(value), span: this.at(JSON.stringify(value)) };
      return { $type: "Property", name: { $type: "Name", text: key, span: keySpan }, value: written, span: keySpan };
    });
    const decl: ComponentDecl = {
      $type: "ComponentDecl",
      role,
      name: { $type: "Name", text: name, span: nameSpan },
      kind: { $type: "Name", text: componentSpec.kind, span: kindSpan },
      properties,
      interceptors: [],
      span: nameSpan,
    };
    const resolved = new Map<string, ResolvedValue>(Object.entries(values).map(([key, value]) => [key, { kind: "literal", value }]));
    return { decl, spec: componentSpec, properties: resolved, interceptors: [], members: [], ...extra };
  }
}

function run(layout: Layout, components: CheckedComponent[], edges: Edge[]): { message: string; underlined: string }[] {
  const file = new SourceFile("t.flow", layout.text);
  const diagnostics = new DiagnosticBag();
  checkHeadersRead(components, edges, [], [], file, diagnostics);
  return diagnostics.items.map((d) => ({ message: `${d.code} ${d.message}`, underlined: layout.text.slice(d.span.start, d.span.end) }));
}

const edge = (from: string, to: string): Edge => ({ from, to, optional: false });

describe("FLOW4022 for any kind that marks readsHeaders", () => {
  it("checks header-name properties, lists of names included, and not an unwritten default", () => {
    const layout = new Layout();
    const source = layout.component("source", "s", spec("source", [{ name: "present" }]));
    const channel = layout.component("channel", "c", spec("channel"));
    const sink = layout.component("sink", "k", probeSink, { route_key: "present", fields: ["present", "absent"] });
    expect(run(layout, [source, channel, sink], [edge("s", "c"), edge("c", "k")])).toEqual([
      { message: "FLOW4022 header `absent` is never set on the events that reach `k`", underlined: "absent" },
    ]);
  });

  it("checks the members of a group through the group's channel", () => {
    const layout = new Layout();
    const source = layout.component("source", "s", spec("source"));
    const channel = layout.component("channel", "c", spec("channel"));
    const a = layout.component("sink", "a", probeSink, { route_key: "k1" });
    const b = layout.component("sink", "b", probeSink, { target: "t-%{k2}" });
    const group = layout.component("group", "g", spec("group"), {}, { members: ["a", "b"] });
    expect(run(layout, [source, channel, a, b, group], [edge("s", "c"), edge("c", "g")])).toEqual([
      { message: "FLOW4022 header `k1` is never set on the events that reach `a`", underlined: "k1" },
      { message: "FLOW4022 header `k2` is never set on the events that reach `b`", underlined: "%{k2}" },
    ]);
  });

  it("takes the headers of every source feeding the channel, and a channel's own", () => {
    const layout = new Layout();
    const plain = layout.component("source", "plain", spec("source"));
    const tagging = layout.component("source", "tagging", spec("source", [{ nameFrom: "header" }]), { header: "k1" });
    const channel = layout.component("channel", "c", spec("channel"));
    const sink = layout.component("sink", "k", probeSink, { route_key: "k1" });
    expect(run(layout, [plain, tagging, channel, sink], [edge("plain", "c"), edge("tagging", "c"), edge("c", "k")])).toEqual([]);

    const other = new Layout();
    const source = other.component("source", "s", spec("source"));
    const anyChannel = other.component("channel", "c", spec("channel", [{ any: true }]));
    const reader = other.component("sink", "k", probeSink, { route_key: "k1" });
    expect(run(other, [source, anyChannel, reader], [edge("s", "c"), edge("c", "k")])).toEqual([]);
  });
});

describe("FLOW4022 through the whole checker", () => {
  it("does not check a value from env(), even with a fallback that reads a header", () => {
    const result = compile(`
tier t {
  source s = tcp { port = 5140 }
  channel c = memory {}
  sink k = files { path = env("OUT", "logs/%{nothing}.log") }
  s -> c -> k
}`);
    expect(result.diagnostics).toEqual([]);
  });

  it("is satisfied when any source of a routed channel may carry the header", () => {
    const result = compile(`
tier t {
  source web = tcp { port = 5140 } | static(key = "service", value = "web")
  source api = http { port = 8080 }
  channel c = memory {}
  channel d = memory {}
  sink k = files { path = "logs/%{service}.log" }
  sink other = files { path = "other.log" }
  route web {
    when header.service == "web" -> c
    else -> d
  }
  route api {
    when header.service == "api" -> c
    else -> d
  }
  c -> k
  d -> other
}`);
    expect(result.diagnostics.map((d) => d.code)).toEqual([]);
  });
});

describe("FLOW4022 for channels", () => {
  it("checks what a channel reads against the sources that put into it, not against its own headers", () => {
    const probeChannel: ComponentSpec = {
      role: "channel",
      kind: "probe_channel",
      summary: "test channel",
      implementation: "Probe",
      properties: { partition_by: { type: { kind: "string" }, readsHeaders: "name", doc: "a header name" } },
      // Events leaving it may carry anything: that says nothing about the events put into it.
      setsHeaders: [{ any: true }],
    };
    const layout = new Layout();
    const source = layout.component("source", "s", spec("source", [{ name: "Tenant" }]));
    const channel = layout.component("channel", "c", probeChannel, { partition_by: "tenant" });
    const sink = layout.component("sink", "k", probeSink, { route_key: "anything" });
    expect(run(layout, [source, channel, sink], [edge("s", "c"), edge("c", "k")])).toEqual([
      { message: "FLOW4022 header `tenant` is never set on the events that reach `c`", underlined: "tenant" },
    ]);
  });
});
