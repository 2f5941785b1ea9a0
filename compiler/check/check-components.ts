import { COMPONENT_SPECS, findSpec, kindsOf } from "../../runtime/registry";
import { describePropertyType, type ComponentRole, type ComponentSpec, type PropertySpec } from "../../runtime/spec";
import type { ComponentDecl, InterceptorCall, Name, Property } from "../ast";
import { DiagnosticBag, listNames, nearestNames, type SourceFile, type Span, withArticle } from "../diagnostics";
import type { CheckedComponent, CheckedInterceptor, ResolvedValue } from "./checked-model";
import { checkCondition } from "./check-conditions";
import { checkPropertyValue } from "./check-value";

/** Shared definitions (declarations outside tiers) by name, with the file each is in. */
export type Definitions = ReadonlyMap<string, { readonly decl: ComponentDecl; readonly file: SourceFile }>;

/** The property of a group that lists its members; handled by the checker, not by the group's spec. */
export const GROUP_MEMBERS_PROPERTY = "sinks";

/**
 * Resolves a component's kind (a built-in kind of its role, or a shared definition of the same role)
 * and checks its properties, its interceptor chain and, for groups, its member list.
 */
export function checkComponent(
  decl: ComponentDecl,
  definitions: Definitions,
  file: SourceFile,
  diagnostics: DiagnosticBag,
): CheckedComponent | undefined {
  const subject = `${decl.role} \`${decl.name.text}\``;
  let spec = findSpec(decl.role, decl.kind.text);
  let inherited: readonly Property[] = [];
  let inheritedInterceptors: readonly InterceptorCall[] = [];
  let definitionFile = file;
  if (spec === undefined) {
    const definition = definitions.get(decl.kind.text);
    if (definition === undefined || definition.decl.role !== decl.role) {
      reportUnknownKind(decl.role, decl.kind, definitions, file, diagnostics);
      return undefined;
    }
    spec = findSpec(decl.role, definition.decl.kind.text);
    // An invalid definition was reported where it is declared.
    if (spec === undefined) return undefined;
    inherited = definition.decl.properties;
    inheritedInterceptors = definition.decl.interceptors;
    definitionFile = definition.file;
  }

  const withoutMembers = (list: readonly Property[]): readonly Property[] =>
    decl.role === "group" ? list.filter((p) => p.name.text !== GROUP_MEMBERS_PROPERTY) : list;
  const own = withoutMembers(decl.properties);
  const properties = new Map<string, ResolvedValue>();
  // The definition's values first; their problems were reported where the definition is declared, once,
  // not again for every component that uses it. The component's own values override them.
  checkProperties(withoutMembers(inherited), spec, `definition \`${decl.kind.text}\``, definitionFile, new DiagnosticBag(), properties);
  const seen = checkProperties(own, spec, subject, file, diagnostics, properties);
  for (const property of inherited) seen.add(property.name.text);
  // A misspelt required property (`prot` for `port`) was reported with its fix; don't report it missing too.
  const suggested = new Set([...decl.properties, ...inherited].filter((p) => spec.properties[p.name.text] === undefined).flatMap((p) => nearestNames(p.name.text, Object.keys(spec.properties))));
  for (const [key, propertySpec] of Object.entries(spec.properties)) {
    if (propertySpec.required === true && !seen.has(key) && !suggested.has(key)) {
      diagnostics.report("FLOW3002", file, decl.kind.span, `${subject} is missing required property \`${key}\``, {
        label: `\`${spec.kind}\` ${spec.role}s need \`${key}\``,
        help: `\`${key}\`: ${propertySpec.doc}`,
      });
    }
  }

  checkRequirements(decl, spec, properties, subject, file, diagnostics);
  checkAlternatives(decl, spec, properties, subject, file, diagnostics);

  const chain = [...inheritedInterceptors, ...decl.interceptors];
  if (chain.length > 0 && decl.role !== "source") {
    // The chain may come only from a definition, perhaps in another file: then point at the kind here.
    const firstOwn = decl.interceptors[0];
    diagnostics.report("FLOW4018", file, firstOwn?.span ?? decl.kind.span, `interceptors run on sources, and \`${decl.name.text}\` is a ${decl.role}`, {
      label: firstOwn === undefined ? `its definition \`${decl.kind.text}\` has interceptors` : "not allowed here",
      help: "write the chain after the source whose events it should change",
    });
  }
  const interceptors = decl.role === "source" ? checkInterceptors(decl.interceptors, inheritedInterceptors, definitionFile, file, diagnostics) : [];
  const members = decl.role === "group" ? groupMembers(decl, inherited, spec, file, diagnostics) : [];
  return { decl, spec, properties, interceptors, members };
}

/** Checks a shared definition on its own: its kind must be built in; required properties may come later. */
export function checkDefinition(decl: ComponentDecl, file: SourceFile, diagnostics: DiagnosticBag): void {
  const spec = findSpec(decl.role, decl.kind.text);
  if (spec === undefined) {
    reportUnknownKind(decl.role, decl.kind, new Map(), file, diagnostics);
    return;
  }
  // A group definition may list its members; they are checked where a group uses the definition.
  const properties = decl.role === "group" ? decl.properties.filter((p) => p.name.text !== GROUP_MEMBERS_PROPERTY) : decl.properties;
  checkProperties(properties, spec, `definition \`${decl.name.text}\``, file, diagnostics, new Map());
  if (decl.role === "source") checkInterceptors(decl.interceptors, [], file, file, diagnostics);
  else if (decl.interceptors[0] !== undefined) {
    diagnostics.report("FLOW4018", file, decl.interceptors[0].span, `interceptors run on sources, and \`${decl.name.text}\` is a ${decl.role}`, {
      label: "not allowed here",
    });
  }
}

/** Checks each property against the spec into `into`; returns the names it saw. */
function checkProperties(
  properties: readonly Property[],
  spec: ComponentSpec,
  subject: string,
  file: SourceFile,
  diagnostics: DiagnosticBag,
  into: Map<string, ResolvedValue>,
): Set<string> {
  const seen = new Map<string, number>();
  for (const property of properties) {
    const key = property.name.text;
    const firstLine = seen.get(key);
    if (firstLine !== undefined) {
      diagnostics.report("FLOW3005", file, property.name.span, `property \`${key}\` is set twice in ${subject}`, {
        label: "set again here",
        help: `it was first set on line ${firstLine}; keep one of them`,
      });
      continue;
    }
    seen.set(key, file.position(property.name.span.start).line);
    const propertySpec = spec.properties[key];
    if (propertySpec === undefined) {
      reportUnknownProperty(spec, key, property.name.span, file, diagnostics);
      continue;
    }
    const resolved = checkPropertyValue(property.value, propertySpec, { file, diagnostics, target: `property \`${key}\` of ${subject}` });
    into.set(key, resolved ?? { kind: "invalid" });
  }
  return new Set(seen.keys());
}

function checkInterceptors(
  own: readonly InterceptorCall[],
  inherited: readonly InterceptorCall[],
  inheritedFile: SourceFile,
  file: SourceFile,
  diagnostics: DiagnosticBag,
): CheckedInterceptor[] {
  const checked: CheckedInterceptor[] = [];
  const each = (call: InterceptorCall, callFile: SourceFile): void => {
    const line = callFile.position(call.span.start).line;
    if (call.$type === "DropInterceptor") {
      if (checkCondition(call.condition, { file: callFile, diagnostics, target: "the condition of `drop()`" })) checked.push({ kind: "drop", condition: call.condition, line });
      return;
    }
    const spec = findSpec("interceptor", call.kind.text);
    if (spec === undefined) {
      reportUnknownKind("interceptor", call.kind, new Map(), callFile, diagnostics);
      return;
    }
    const properties = new Map<string, ResolvedValue>();
    const seen = checkProperties(call.properties, spec, `interceptor \`${call.kind.text}\``, callFile, diagnostics, properties);
    const suggested = new Set(call.properties.filter((p) => spec.properties[p.name.text] === undefined).flatMap((p) => nearestNames(p.name.text, Object.keys(spec.properties))));
    for (const [key, propertySpec] of Object.entries(spec.properties)) {
      if (propertySpec.required === true && !seen.has(key) && !suggested.has(key)) {
        diagnostics.report("FLOW3002", callFile, call.kind.span, `interceptor \`${call.kind.text}\` is missing required property \`${key}\``, {
          label: `\`${key}\` is required`,
          help: `\`${key}\`: ${propertySpec.doc}`,
        });
      }
    }
    checked.push({ kind: "component", call, spec, properties, line });
  };
  for (const call of inherited) each(call, inheritedFile);
  for (const call of own) each(call, file);
  return checked;
}

/** The group's `sinks`: its own list, or its definition's. */
function groupMembers(decl: ComponentDecl, inherited: readonly Property[], spec: ComponentSpec, file: SourceFile, diagnostics: DiagnosticBag): string[] {
  const listed = decl.properties.find((p) => p.name.text === GROUP_MEMBERS_PROPERTY) ?? inherited.find((p) => p.name.text === GROUP_MEMBERS_PROPERTY);
  const min = spec.members?.min ?? 1;
  const subject = `group \`${decl.name.text}\``;
  if (listed === undefined) {
    diagnostics.report("FLOW4019", file, decl.kind.span, `${subject} lists no sinks`, {
      label: `\`${spec.kind}\` groups need \`${GROUP_MEMBERS_PROPERTY} = [ … ]\``,
      help: `list at least ${min} sink${min === 1 ? "" : "s"} of this tier, e.g. \`${GROUP_MEMBERS_PROPERTY} = [primary, spare]\``,
    });
    return [];
  }
  const value = listed.value;
  if (value.$type === "CallValue" && value.callee.text === "env") {
    diagnostics.report("FLOW3008", file, value.span, `the members of ${subject} must be known at build time`, {
      label: "`env()` is read when the agent starts, too late here",
      help: "list the sinks by name: the group's wiring is generated code",
    });
    return [];
  }
  if (value.$type !== "ListValue" || value.items.some((item) => item.$type !== "ReferenceValue" || item.path.length !== 1)) {
    diagnostics.report("FLOW4019", file, value.span, `\`${GROUP_MEMBERS_PROPERTY}\` of ${subject} must be a list of sink names`, {
      label: "expected e.g. `[primary, spare]`",
      help: "write the names of sinks of this tier, without quotes",
    });
    return [];
  }
  const names: string[] = [];
  for (const item of value.items) {
    const memberName = (item as { path: readonly Name[] }).path[0] as Name;
    if (names.includes(memberName.text)) {
      diagnostics.report("FLOW4019", file, memberName.span, `sink \`${memberName.text}\` is listed twice in ${subject}`, { label: "listed again here" });
      continue;
    }
    names.push(memberName.text);
  }
  if (names.length < min) {
    diagnostics.report("FLOW4019", file, value.span, `${subject} needs at least ${min} sinks, found ${names.length}`, {
      label: `\`${spec.kind}\` groups need ${min} or more`,
    });
  }
  return names;
}

function reportUnknownKind(role: ComponentRole, kind: Name, definitions: Definitions, file: SourceFile, diagnostics: DiagnosticBag): void {
  const builtIn = kindsOf(role);
  const defined = [...definitions.entries()].filter(([, d]) => d.decl.role === role).map(([definitionName]) => definitionName);
  const near = nearestNames(kind.text, [...builtIn, ...defined]);
  const definitionOfOtherRole = definitions.get(kind.text);
  const otherRole = COMPONENT_SPECS.find((spec) => spec.kind === kind.text);
  const help =
    definitionOfOtherRole !== undefined
      ? `\`${kind.text}\` is ${withArticle(definitionOfOtherRole.decl.role)} definition, not ${withArticle(role)} definition`
      : otherRole !== undefined
        ? `\`${kind.text}\` is ${withArticle(otherRole.role)} kind, not ${withArticle(role)} kind`
        : near.length > 0
          ? `${withArticle(role)} kind with a similar name exists: ${listNames(near)}`
          : `known ${role} kinds: ${listNames(builtIn, "and")}`;
  diagnostics.report("FLOW2003", file, kind.span, `unknown ${role} kind \`${kind.text}\``, { label: `not ${withArticle(role)} kind`, help });
}

/** Beyond this many, a help line names the first ones (required first) and points at the docs. */
const MAX_LISTED_PROPERTIES = 6;

function requiredFirst(spec: ComponentSpec): string[] {
  const entries = Object.entries(spec.properties);
  return [...entries.filter(([, p]) => p.required === true), ...entries.filter(([, p]) => p.required !== true)].map(([key]) => key);
}

function reportUnknownProperty(spec: ComponentSpec, key: string, span: Span, file: SourceFile, diagnostics: DiagnosticBag): void {
  const known = Object.keys(spec.properties);
  const near = nearestNames(key, known);
  diagnostics.report("FLOW3001", file, span, `unknown property \`${key}\` for \`${spec.kind}\` ${spec.role}s`, {
    label: "unknown property",
    help:
      near.length > 0
        ? `a property with a similar name exists: ${listNames(near)}`
        : known.length === 0
          ? `\`${spec.kind}\` ${spec.role}s have no properties`
          : known.length <= MAX_LISTED_PROPERTIES
            ? `\`${spec.kind}\` ${spec.role}s have ${listNames(known, "and")}`
            : `\`${spec.kind}\` ${spec.role}s have ${known.length} properties, among them ${listNames(requiredFirst(spec).slice(0, MAX_LISTED_PROPERTIES), "and")}; docs/components.md lists them all`,
  });
}

/** Reports FLOW3011 for a property set without the settings its spec says it `requires`. */
function checkRequirements(
  decl: ComponentDecl,
  spec: ComponentSpec,
  properties: ReadonlyMap<string, ResolvedValue>,
  subject: string,
  file: SourceFile,
  diagnostics: DiagnosticBag,
): void {
  for (const [key, propertySpec] of Object.entries(spec.properties)) {
    const value = properties.get(key);
    if (value === undefined || value.kind === "invalid" || propertySpec.requires === undefined) continue;
    // `env("X", "")` switches an optional setting off, as does `false`: neither needs anything.
    if (value.kind === "literal" && (value.value === "" || value.value === false)) continue;
    if (value.kind === "env" && value.fallback === "") continue;
    for (const requirement of propertySpec.requires) {
      const other = typeof requirement === "string" ? requirement : requirement.property;
      const otherValue = properties.get(other);
      if (otherValue?.kind === "env" || otherValue?.kind === "invalid") continue;
      const effective = otherValue?.kind === "literal" ? otherValue.value : otherValue === undefined ? spec.properties[other]?.default : undefined;
      const met = typeof requirement === "string" ? otherValue !== undefined && effective !== "" : effective === requirement.equals;
      if (met) continue;
      const wanted = typeof requirement === "string" ? `\`${other}\`` : `\`${other} = ${JSON.stringify(requirement.equals)}\``;
      const span = decl.properties.find((property) => property.name.text === key)?.name.span ?? decl.kind.span;
      diagnostics.report("FLOW3011", file, span, `\`${key}\` of ${subject} needs ${wanted}`, {
        label: typeof requirement === "string" ? `\`${other}\` is not set` : `\`${other}\` is ${JSON.stringify(effective ?? "unset")}`,
        help: typeof requirement === "string" ? `set \`${other}\` too: ${spec.properties[other]?.doc ?? ""}` : `set ${wanted}, or remove \`${key}\``,
      });
    }
  }
}

/** Reports FLOW3012 when not exactly one property of each of the spec's `oneOf` sets is given. */
function checkAlternatives(
  decl: ComponentDecl,
  spec: ComponentSpec,
  properties: ReadonlyMap<string, ResolvedValue>,
  subject: string,
  file: SourceFile,
  diagnostics: DiagnosticBag,
): void {
  for (const alternatives of spec.oneOf ?? []) {
    // An invalid value was reported already; counting it as given avoids a second, confusing message.
    const given = alternatives.filter((name) => properties.has(name));
    if (given.length === 1) continue;
    const choices = alternatives.map((name) => `\`${name}\``).join(" or ");
    if (given.length === 0) {
      diagnostics.report("FLOW3012", file, decl.kind.span, `${subject} needs ${choices}`, {
        label: `none of ${choices} is set`,
        help: `set one of them: ${alternatives.map((name) => `\`${name}\` (${describePropertyType((spec.properties[name] as PropertySpec).type)})`).join(", ")}`,
      });
      continue;
    }
    const second = decl.properties.find((property) => property.name.text === given[1]);
    diagnostics.report("FLOW3012", file, second?.name.span ?? decl.kind.span, `${subject} sets ${given.map((name) => `\`${name}\``).join(" and ")}, which are alternatives`, {
      label: `\`${given[0]}\` is set too`,
      help: `keep one of ${choices}`,
    });
  }
}
