import type { ComponentRole, PropertyMap, PropertyValue } from "../spec";
import type { EnvLookup } from "./env-reader";

/**
 * A property in a plan: a value known at build time, the index of an `env()` lookup in `TierPlan.env`, or a
 * `map` property's entries (each of which may be a lookup). Maps are always wrapped in `$map`, so a map
 * entry named `$env` cannot be mistaken for a lookup.
 */
export type PlanValue = Exclude<PropertyValue, PropertyMap> | { readonly $env: number } | PlanMap;

export interface PlanMap {
  readonly $map: Readonly<Record<string, PlanValue>>;
}

export interface ComponentPlan {
  /** The component's name in its tier; stable, unique within the tier. */
  readonly id: string;
  readonly role: ComponentRole;
  readonly kind: string;
  /** The runtime export that implements the kind. */
  readonly implementation: string;
  /** Every property of the kind: set in the file, or its default. Unset optional properties are absent. */
  readonly config: Readonly<Record<string, PlanValue>>;
  /** Where it was declared, for generated-code comments and messages. */
  readonly line: number;
}

/** What a condition reads. */
export type PlanSubject = { readonly header: string } | { readonly body: true };

/** A route or `drop()` condition, normalised: `!=`, `!~` and `not in` become `not`. */
export type PlanCondition =
  | { readonly any: readonly PlanCondition[] }
  | { readonly all: readonly PlanCondition[] }
  | { readonly not: PlanCondition }
  | { readonly subject: PlanSubject; readonly test: "equals"; readonly value: string }
  | { readonly subject: PlanSubject; readonly test: "oneOf"; readonly values: readonly string[] }
  | { readonly subject: PlanSubject; readonly test: "matches"; readonly pattern: string; readonly flags: string }
  | { readonly subject: PlanSubject; readonly test: "exists" };

export type InterceptorPlan =
  | (ComponentPlan & { readonly role: "interceptor" })
  | { readonly role: "drop"; readonly id: string; readonly condition: PlanCondition; readonly line: number };

export interface ChannelTarget {
  readonly channel: string;
  /** Best effort: a refusal never fails the source's put. */
  readonly optional: boolean;
}

export interface RouteArmPlan {
  /** Undefined for `else`. */
  readonly condition?: PlanCondition;
  readonly targets: readonly ChannelTarget[];
}

export interface SourcePlan extends ComponentPlan {
  readonly role: "source";
  /** Run in order on every batch before it enters a channel. */
  readonly interceptors: readonly InterceptorPlan[];
  /** Replicating: every event goes to every target. Empty when `route` is set. */
  readonly targets: readonly ChannelTarget[];
  /** Multiplexing: the first matching arm decides. */
  readonly route?: readonly RouteArmPlan[];
}

export interface SinkPlan extends ComponentPlan {
  readonly role: "sink";
  /** The channel it reads, or undefined when it belongs to a group (the group reads the channel). */
  readonly channel?: string;
}

export interface GroupPlan extends ComponentPlan {
  readonly role: "group";
  readonly channel: string;
  /** Member sinks, in priority order. */
  readonly members: readonly string[];
}

export interface TestPlan {
  readonly name: string;
  readonly line: number;
  readonly steps: readonly TestStepPlan[];
}

export type TestStepPlan =
  | { readonly step: "send"; readonly source: string; readonly headers: Readonly<Record<string, string>>; readonly body: string; readonly line: number }
  | { readonly step: "expectChannels"; readonly channels: readonly string[]; readonly line: number }
  | { readonly step: "expectDropped"; readonly line: number }
  | { readonly step: "expectHeaders"; readonly headers: Readonly<Record<string, string>>; readonly line: number };

/**
 * Everything needed to generate one tier's agent, as plain JSON: no AST, no spans, no functions. Lists
 * are in declaration order, so the same input always gives the same plan (and the same binary).
 *
 * Defined here, in the runtime, because both sides read it: the compiler's IR produces it
 * (compiler/ir/plan.ts re-exports these types) and every agent embeds it for `--describe`.
 */
export interface TierPlan {
  readonly tier: string;
  readonly flowcVersion: string;
  /** The `.flow` file's name (no directory: the binary must not depend on where it was built). */
  readonly sourceFile: string;
  readonly env: readonly EnvLookup[];
  readonly channels: readonly ComponentPlan[];
  readonly sinks: readonly SinkPlan[];
  readonly groups: readonly GroupPlan[];
  readonly sources: readonly SourcePlan[];
  readonly tests: readonly TestPlan[];
}

/** Whether a plan value is an `env()` lookup rather than a value known at build time. */
export function isEnvValue(value: PlanValue): value is { readonly $env: number } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$env" in value;
}

/** Whether a plan value is a `map` property's entries. */
export function isMapValue(value: PlanValue): value is PlanMap {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$map" in value;
}
