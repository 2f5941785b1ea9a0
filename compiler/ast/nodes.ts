import type { ComponentRole } from "../../runtime/spec";
import type { SourceFile, Span } from "../diagnostics";

/**
 * The typed AST. Every node is `$type`-tagged and carries the span it came from, so later phases can
 * point diagnostics at it without computing ranges themselves. It holds no CST or token references.
 */
export interface Name {
  readonly $type: "Name";
  readonly text: string;
  readonly span: Span;
}

export interface FlowFile {
  readonly $type: "FlowFile";
  readonly source: SourceFile;
  readonly tiers: readonly TierDecl[];
}

export interface TierDecl {
  readonly $type: "TierDecl";
  readonly name: Name;
  readonly components: readonly ComponentDecl[];
  readonly wirings: readonly Wiring[];
  readonly span: Span;
}

export interface ComponentDecl {
  readonly $type: "ComponentDecl";
  readonly role: ComponentRole;
  readonly name: Name;
  readonly kind: Name;
  readonly properties: readonly Property[];
  readonly span: Span;
}

export interface Property {
  readonly $type: "Property";
  readonly name: Name;
  readonly value: Value;
  readonly span: Span;
}

/** `a -> b -> c`: each step is a component name. */
export interface Wiring {
  readonly $type: "Wiring";
  readonly steps: readonly Name[];
  readonly span: Span;
}

export type Value =
  | StringValue
  | IntegerValue
  | DurationValue
  | SizeValue
  | BooleanValue
  | ListValue
  | BlockValue
  | CallValue
  | ReferenceValue
  | InvalidValue;

export interface StringValue {
  readonly $type: "StringValue";
  readonly value: string;
  readonly span: Span;
}

export interface IntegerValue {
  readonly $type: "IntegerValue";
  readonly value: number;
  readonly span: Span;
}

export interface DurationValue {
  readonly $type: "DurationValue";
  readonly milliseconds: number;
  readonly span: Span;
}

export interface SizeValue {
  readonly $type: "SizeValue";
  readonly bytes: number;
  readonly span: Span;
}

export interface BooleanValue {
  readonly $type: "BooleanValue";
  readonly value: boolean;
  readonly span: Span;
}

export interface ListValue {
  readonly $type: "ListValue";
  readonly items: readonly Value[];
  readonly span: Span;
}

export interface BlockValue {
  readonly $type: "BlockValue";
  readonly properties: readonly Property[];
  readonly span: Span;
}

/** `name(args)`; only `env` is meaningful, the checker says so for anything else. */
export interface CallValue {
  readonly $type: "CallValue";
  readonly callee: Name;
  readonly args: readonly Value[];
  readonly span: Span;
}

/** A dotted name such as `collector.inbound`. */
export interface ReferenceValue {
  readonly $type: "ReferenceValue";
  readonly path: readonly Name[];
  readonly span: Span;
}

/** A value that could not be read (already reported): later phases skip it silently. */
export interface InvalidValue {
  readonly $type: "InvalidValue";
  readonly span: Span;
}

/** How each value kind is named in "found …" messages. */
export function describeValue(value: Value): string {
  switch (value.$type) {
    case "StringValue":
      return "a string";
    case "IntegerValue":
      return "an integer";
    case "DurationValue":
      return "a duration";
    case "SizeValue":
      return "a size";
    case "BooleanValue":
      return "a boolean";
    case "ListValue":
      return "a list";
    case "BlockValue":
      return "a block";
    case "CallValue":
      return "a call";
    case "ReferenceValue":
      return "a reference";
    case "InvalidValue":
      return "an invalid value";
  }
}
