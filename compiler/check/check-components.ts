import { COMPONENT_SPECS, findSpec, kindsOf } from "../../runtime/registry";
import type { ComponentSpec } from "../../runtime/spec";
import type { ComponentDecl } from "../ast";
import { type DiagnosticBag, listNames, nearestNames, type SourceFile } from "../diagnostics";
import type { CheckedComponent, ResolvedValue } from "./checked-model";
import { checkPropertyValue } from "./check-value";

/** Resolves a component's kind against the specs and checks its properties. */
export function checkComponent(decl: ComponentDecl, file: SourceFile, diagnostics: DiagnosticBag): CheckedComponent | undefined {
  const spec = findSpec(decl.role, decl.kind.text);
  if (spec === undefined) {
    reportUnknownKind(decl, file, diagnostics);
    return undefined;
  }
  const properties = new Map<string, ResolvedValue>();
  const seen = new Map<string, number>();
  const subject = `${decl.role} \`${decl.name.text}\``;
  for (const property of decl.properties) {
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
    const resolved = checkPropertyValue(property.value, propertySpec, {
      file,
      diagnostics,
      target: `property \`${key}\` of ${subject}`,
    });
    if (resolved !== undefined) properties.set(key, resolved);
  }
  for (const [key, propertySpec] of Object.entries(spec.properties)) {
    if (propertySpec.required === true && !seen.has(key)) {
      diagnostics.report("FLOW3002", file, decl.kind.span, `${subject} is missing required property \`${key}\``, {
        label: `\`${spec.kind}\` ${spec.role}s need \`${key}\``,
        help: `\`${key}\`: ${propertySpec.doc}`,
      });
    }
  }
  return { decl, spec, properties };
}

function reportUnknownKind(decl: ComponentDecl, file: SourceFile, diagnostics: DiagnosticBag): void {
  const kinds = kindsOf(decl.role);
  const near = nearestNames(decl.kind.text, kinds);
  const otherRole = COMPONENT_SPECS.find((spec) => spec.kind === decl.kind.text);
  const help =
    otherRole !== undefined
      ? `\`${decl.kind.text}\` is a ${otherRole.role} kind, not a ${decl.role} kind`
      : near.length > 0
        ? `a ${decl.role} kind with a similar name exists: ${listNames(near)}`
        : `known ${decl.role} kinds: ${listNames(kinds, "and")}`;
  diagnostics.report("FLOW2003", file, decl.kind.span, `unknown ${decl.role} kind \`${decl.kind.text}\``, {
    label: `not a ${decl.role} kind`,
    help,
  });
}

function reportUnknownProperty(
  spec: ComponentSpec,
  key: string,
  span: { start: number; end: number },
  file: SourceFile,
  diagnostics: DiagnosticBag,
): void {
  const known = Object.keys(spec.properties);
  const near = nearestNames(key, known);
  diagnostics.report("FLOW3001", file, span, `unknown property \`${key}\` for \`${spec.kind}\` ${spec.role}s`, {
    label: "unknown property",
    help:
      near.length > 0
        ? `a property with a similar name exists: ${listNames(near)}`
        : `\`${spec.kind}\` ${spec.role}s have ${listNames(known, "and")}`,
  });
}
