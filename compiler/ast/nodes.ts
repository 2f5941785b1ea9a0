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
  readonly imports: readonly ImportDecl[];
  /** Declarations outside any tier: shared presets that components can use as their kind. */
  readonly definitions: readonly ComponentDecl[];
  readonly tiers: readonly TierDecl[];
}

/** `import "common.flow"`: the path is relative to the importing file. */
export interface ImportDecl {
  readonly $type: "ImportDecl";
  readonly path: StringValue;
  readonly span: Span;
}

export interface TierDecl {
  readonly $type: "TierDecl";
  readonly name: Name;
  readonly components: readonly ComponentDecl[];
  readonly wirings: readonly Wiring[];
  readonly routes: readonly RouteDecl[];
  readonly tests: readonly TestDecl[];
  readonly span: Span;
}

/** The roles a declaration keyword gives; interceptors are written in chains, never declared. */
export type DeclaredRole = Exclude<ComponentRole, "interceptor">;

export interface ComponentDecl {
  readonly $type: "ComponentDecl";
  readonly role: DeclaredRole;
  readonly name: Name;
  /** A built-in kind (`tcp`) or the name of a shared definition of the same role. */
  readonly kind: Name;
  readonly properties: readonly Property[];
  /** `| host() | drop(…)`, in order. */
  readonly interceptors: readonly InterceptorCall[];
  readonly span: Span;
}

export type InterceptorCall = KindInterceptor | DropInterceptor;

/** `host(header = "host")`: an interceptor kind with its properties. */
export interface KindInterceptor {
  readonly $type: "KindInterceptor";
  readonly kind: Name;
  readonly properties: readonly Property[];
  readonly span: Span;
}

/** `drop(condition)`: drops the events for which the condition holds. */
export interface DropInterceptor {
  readonly $type: "DropInterceptor";
  readonly condition: Condition;
  readonly span: Span;
}

export interface Property {
  readonly $type: "Property";
  readonly name: Name;
  readonly value: Value;
  readonly span: Span;
}

/** `a -> b, optional c -> d`: each step is one or more targets; every target of a step feeds every target of the next. */
export interface Wiring {
  readonly $type: "Wiring";
  readonly steps: readonly (readonly Target[])[];
  readonly span: Span;
}

export interface Target {
  readonly $type: "Target";
  readonly name: Name;
  /** `optional`: a best-effort channel whose refusal never fails the source's put. */
  readonly optional: boolean;
  readonly span: Span;
}

/** `route SOURCE { when … -> …  else -> … }` */
export interface RouteDecl {
  readonly $type: "RouteDecl";
  readonly source: Name;
  readonly arms: readonly RouteArm[];
  readonly span: Span;
}

export interface RouteArm {
  readonly $type: "RouteArm";
  /** Undefined for `else`. */
  readonly condition: Condition | undefined;
  /** The `when` or `else` keyword, for diagnostics about the arm as a whole. */
  readonly keyword: Span;
  readonly targets: readonly Target[];
  readonly span: Span;
}

export type Condition = OrCondition | AndCondition | NotCondition | Comparison;

export interface OrCondition {
  readonly $type: "OrCondition";
  readonly operands: readonly Condition[];
  readonly span: Span;
}

export interface AndCondition {
  readonly $type: "AndCondition";
  readonly operands: readonly Condition[];
  readonly span: Span;
}

export interface NotCondition {
  readonly $type: "NotCondition";
  readonly operand: Condition;
  readonly span: Span;
}

/** What a condition reads: a header by name, or the body (as UTF-8 text). */
export type Subject = { readonly kind: "header"; readonly name: string; readonly span: Span } | { readonly kind: "body"; readonly span: Span };

export type ComparisonOperator = "==" | "!=" | "in" | "not in" | "~" | "!~" | "exists";

export interface Comparison {
  readonly $type: "Comparison";
  readonly subject: Subject;
  readonly operator: ComparisonOperator;
  /** The right-hand side: a value for `==`/`!=`, a list for `in`, a regex for `~`; none for `exists`. */
  readonly operand: Value | undefined;
  readonly span: Span;
}

/** `test "name" { send … expect … }`: checked by `flowc check`, run by `flowc test`. */
export interface TestDecl {
  readonly $type: "TestDecl";
  readonly name: StringValue;
  readonly steps: readonly TestStep[];
  readonly span: Span;
}

export type TestStep = SendStep | ExpectStep;

export interface SendStep {
  readonly $type: "SendStep";
  readonly source: Name;
  /** `headers = { … }`, `body = "…"`. */
  readonly properties: readonly Property[];
  readonly span: Span;
}

export type ExpectStep =
  | { readonly $type: "ExpectStep"; readonly expectation: "channels"; readonly targets: readonly Target[]; readonly span: Span }
  | { readonly $type: "ExpectStep"; readonly expectation: "dropped"; readonly span: Span }
  | {
      readonly $type: "ExpectStep";
      readonly expectation: "block";
      /** What the block describes, e.g. `headers`. */
      readonly what: Name;
      readonly properties: readonly Property[];
      readonly span: Span;
    };

export type Value =
  | StringValue
  | RegexValue
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

/** `/pattern/flags`, already checked to compile. */
export interface RegexValue {
  readonly $type: "RegexValue";
  readonly pattern: string;
  readonly flags: string;
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
    case "RegexValue":
      return "a regular expression";
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
