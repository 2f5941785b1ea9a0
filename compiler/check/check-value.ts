import { describePropertyType, isCredentialName, type PropertySpec, type PropertyType, type PropertyValue } from "../../runtime/spec";
import { describeValue, type Value } from "../ast";
import { type DiagnosticBag, listNames, nearestNames, type SourceFile } from "../diagnostics";
import type { ResolvedValue } from "./checked-model";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;


/** Where a value lands, for messages: e.g. "property `port` of source `lines`". */
export interface ValueContext {
  readonly file: SourceFile;
  readonly diagnostics: DiagnosticBag;
  readonly target: string;
}

/** Checks a property's value against its spec; returns it resolved, or undefined after reporting why not. */
export function checkPropertyValue(value: Value, spec: PropertySpec, context: ValueContext): ResolvedValue | undefined {
  if (value.$type === "CallValue" && value.callee.text === "env" && (spec.buildTime === true || spec.type.kind === "link")) {
    reportBuildTimeOnly(value.span, context, spec.type.kind === "link" ? "links between tiers are checked when the topology is built" : "this property shapes the generated code");
    return undefined;
  }
  if (value.$type === "CallValue") return checkCall(value, spec, context);
  if (spec.type.kind === "map" && value.$type === "BlockValue") return checkMap(value, spec, spec.type.of, context);
  const literal = checkLiteral(value, spec.type, context);
  if (literal === undefined || !passesValidation(literal, value.span, spec, context)) return undefined;
  if (spec.secret === true) reportSecretLiteral(value, context);
  return { kind: "literal", value: literal };
}

/** A `map` property: each entry a literal of the entry type or an `env()` lookup; names unique. */
function checkMap(value: Extract<Value, { $type: "BlockValue" }>, spec: PropertySpec, entryType: PropertyType, context: ValueContext): ResolvedValue | undefined {
  const entries = new Map<string, ResolvedValue>();
  let ok = true;
  for (const property of value.properties) {
    const name = property.name.text;
    if (entries.has(name)) {
      context.diagnostics.report("FLOW3005", context.file, property.name.span, `\`${name}\` is set twice in ${context.target}`, {
        label: "set again here",
        help: "each name appears once; the second value would silently win",
      });
      ok = false;
      continue;
    }
    // In a secret map (HTTP headers), the entries named like credentials are the secrets.
    const secret = spec.secret === true && isCredentialName(name);
    const entry = checkPropertyValue(property.value, { ...spec, type: entryType, secret }, { ...context, target: `entry \`${name}\` of ${context.target}` });
    if (entry === undefined) ok = false;
    else entries.set(name, entry);
  }
  return ok ? { kind: "map", entries } : undefined;
}

/** Runs the spec's own check of a value (FLOW3004 when it refuses it). */
function passesValidation(literal: PropertyValue, span: { start: number; end: number }, spec: PropertySpec, context: ValueContext): boolean {
  const problem = spec.validate?.(literal);
  if (problem === undefined) return true;
  context.diagnostics.report("FLOW3004", context.file, span, `${context.target} is not valid`, { label: problem });
  return false;
}

/** Reports FLOW3009: a credential written in the file ends up in the repository and in the binary. */
function reportSecretLiteral(value: Value, context: ValueContext): void {
  if (value.$type === "StringValue" && value.value === "") return;
  context.diagnostics.report("FLOW3009", context.file, value.span, `${context.target} is a secret written in the file`, {
    label: "this credential would be stored in the repository and in the built binary",
    help: "read it when the agent starts instead: `env(\"NAME\")`",
  });
}

function checkCall(value: Extract<Value, { $type: "CallValue" }>, spec: PropertySpec, context: ValueContext): ResolvedValue | undefined {
  const type = spec.type;
  const { file, diagnostics } = context;
  if (value.callee.text !== "env") {
    diagnostics.report("FLOW3007", file, value.callee.span, `unknown function \`${value.callee.text}\``, {
      label: "not a function",
      help: "`env(\"NAME\")` or `env(\"NAME\", default)` reads an environment variable when the agent starts",
    });
    return undefined;
  }
  const [nameArg, fallbackArg, ...extra] = value.args;
  if (nameArg === undefined || extra.length > 0) {
    diagnostics.report("FLOW3006", file, value.span, `\`env()\` takes 1 or 2 arguments, found ${value.args.length}`, {
      label: "wrong number of arguments",
      help: "write `env(\"NAME\")`, or `env(\"NAME\", default)` to fall back when the variable is unset",
    });
    return undefined;
  }
  if (nameArg.$type !== "StringValue" || !ENV_NAME.test(nameArg.value)) {
    diagnostics.report("FLOW3006", file, nameArg.span, "the first argument of `env()` must name an environment variable", {
      label: nameArg.$type === "StringValue" ? "not a valid variable name" : `expected a string, found ${describeValue(nameArg)}`,
      help: "variable names are letters, digits and `_`, not starting with a digit, in quotes: `env(\"PORT\")`",
    });
    return undefined;
  }
  if (fallbackArg === undefined) return { kind: "env", name: nameArg.value };
  if (fallbackArg.$type === "CallValue") {
    diagnostics.report("FLOW3006", file, fallbackArg.span, "the default of `env()` must be a literal value", {
      label: "a call cannot be a default",
    });
    return undefined;
  }
  const fallback = checkLiteral(fallbackArg, type, context);
  if (fallback === undefined || !passesValidation(fallback, fallbackArg.span, spec, context)) return undefined;
  return { kind: "env", name: nameArg.value, fallback };
}

/** Reports FLOW3008: `env()` where the value must be written in the file. */
export function reportBuildTimeOnly(span: { start: number; end: number }, context: ValueContext, why: string): void {
  context.diagnostics.report("FLOW3008", context.file, span, `${context.target} must be known at build time`, {
    label: "`env()` is read when the agent starts, too late here",
    help: `${why}; write the value in the file`,
  });
}

/** Checks a literal against a type, reporting FLOW3003/FLOW3004; returns the plain value. */
export function checkLiteral(value: Value, type: PropertyType, context: ValueContext): PropertyValue | undefined {
  const { file, diagnostics, target } = context;
  if (value.$type === "InvalidValue") return undefined;
  const mismatch = (help?: string): undefined => {
    diagnostics.report("FLOW3003", file, value.span, `${target} expects ${describePropertyType(type)}, found ${describeValue(value)}`, {
      label: `expected ${describePropertyType(type).replace(/ \(.*\)$/, "")}`,
      help,
    });
    return undefined;
  };
  switch (type.kind) {
    case "string":
      return value.$type === "StringValue" ? value.value : mismatch(value.$type === "ReferenceValue" ? "strings are written in double quotes" : undefined);
    case "regex":
      // A string is a pattern without flags (as in Flume's properties); both resolve to `/pattern/flags`.
      if (value.$type === "RegexValue") return `/${value.pattern}/${value.flags}`;
      if (value.$type !== "StringValue") return mismatch();
      try {
        new RegExp(value.value);
      } catch (error) {
        diagnostics.report("FLOW1007", file, value.span, "invalid regular expression", { label: (error as Error).message });
        return undefined;
      }
      return `/${value.value.replaceAll("/", "\\/")}/`;
    case "boolean":
      return value.$type === "BooleanValue" ? value.value : mismatch();
    case "integer":
      if (value.$type !== "IntegerValue") return mismatch(value.$type === "StringValue" ? "write the number without quotes" : undefined);
      return inRange(value.value, type.min, type.max, value.span, context, String);
    case "duration":
      if (value.$type !== "DurationValue") return mismatch(value.$type === "IntegerValue" ? `durations need a unit: \`${value.value}ms\`, \`${value.value}s\`, \`${value.value}m\`` : undefined);
      return inRange(value.milliseconds, type.min, undefined, value.span, context, (n) => `${n}ms`);
    case "size":
      if (value.$type !== "SizeValue") return mismatch(value.$type === "IntegerValue" ? `sizes need a unit: \`${value.value}B\`, \`${value.value}KiB\`, \`${value.value}MiB\`` : undefined);
      return inRange(value.bytes, type.min, undefined, value.span, context, (n) => `${n}B`);
    case "enum": {
      if (value.$type !== "StringValue" && value.$type !== "ReferenceValue") return mismatch();
      const text = value.$type === "StringValue" ? value.value : value.path.map((part) => part.text).join(".");
      if (type.values.includes(text)) return text;
      const near = nearestNames(text, type.values);
      diagnostics.report("FLOW3003", file, value.span, `${target} expects ${describePropertyType(type)}, found \`${text}\``, {
        label: "not an accepted value",
        help: near.length > 0 ? `a similar value exists: ${listNames(near)}` : undefined,
      });
      return undefined;
    }
    case "map": {
      // Reached for literals only (a map in a default or an `env()` fallback): entries must be literals.
      if (value.$type !== "BlockValue") return mismatch("write the entries in braces: `{ name = \"value\" }`");
      const entries: Record<string, PropertyValue> = {};
      let ok = true;
      for (const property of value.properties) {
        const checked = checkLiteral(property.value, type.of, { ...context, target: `entry \`${property.name.text}\` of ${target}` });
        if (checked === undefined) ok = false;
        else entries[property.name.text] = checked;
      }
      return ok ? entries : undefined;
    }
    case "link":
      // The target is resolved across tiers once every tier is known (check-links).
      if (value.$type !== "ReferenceValue" || value.path.length !== 2) {
        return mismatch(`name the \`${type.to}\` source of the tier it sends to: \`tier.source\``);
      }
      return value.path.map((part) => part.text).join(".");
    case "list": {
      if (value.$type !== "ListValue") return mismatch();
      const items: PropertyValue[] = [];
      let ok = true;
      for (const item of value.items) {
        const checked = checkLiteral(item, type.of, { ...context, target: `each item of ${target}` });
        if (checked === undefined) ok = false;
        else items.push(checked);
      }
      return ok ? items : undefined;
    }
  }
}

function inRange(
  n: number,
  min: number | undefined,
  max: number | undefined,
  span: { start: number; end: number },
  context: ValueContext,
  show: (n: number) => string,
): number | undefined {
  const { file, diagnostics, target } = context;
  if (min !== undefined && n < min) {
    diagnostics.report("FLOW3004", file, span, `${target} must be at least ${show(min)}`, { label: `${show(n)} is too small` });
    return undefined;
  }
  if (max !== undefined && n > max) {
    diagnostics.report("FLOW3004", file, span, `${target} must be at most ${show(max)}`, { label: `${show(n)} is too large` });
    return undefined;
  }
  return n;
}
