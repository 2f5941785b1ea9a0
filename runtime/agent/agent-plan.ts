import type { ComponentRole, PropertyValue } from "../spec";
import type { EnvLookup } from "./env-reader";

/**
 * The tier's plan as an agent carries it, for `--describe`: the compiler's `TierPlan` (compiler/ir/plan.ts,
 * the full definition) embedded as JSON by the generated code. These types name only what the agent reads;
 * the other fields (`implementation`, `tests`, …) pass through unread, which the open index signatures allow.
 * The generated code is type-checked against them for every example (test/compiler/codegen.test.ts), and
 * test/runtime/describe.test.ts checks that a `TierPlan` is assignable to `AgentPlan`.
 */
export interface AgentPlan {
  readonly tier: string;
  readonly flowcVersion: string;
  readonly sourceFile: string;
  readonly env: readonly EnvLookup[];
  readonly channels: readonly AgentComponentPlan[];
  readonly sinks: readonly (AgentComponentPlan & { readonly channel?: string })[];
  readonly groups: readonly (AgentComponentPlan & { readonly channel: string; readonly members: readonly string[] })[];
  readonly sources: readonly AgentSourcePlan[];
  readonly [unread: string]: unknown;
}

/** A property: a value known at build time, or the index of its `env()` lookup in `AgentPlan.env`. */
export type AgentPlanValue = PropertyValue | { readonly $env: number };

export interface AgentComponentPlan {
  readonly id: string;
  readonly role: ComponentRole;
  readonly kind: string;
  readonly config: Readonly<Record<string, AgentPlanValue>>;
  readonly line: number;
  readonly [unread: string]: unknown;
}

export interface AgentSourcePlan extends AgentComponentPlan {
  readonly interceptors: readonly (AgentComponentPlan | AgentDropPlan)[];
  readonly targets: readonly AgentChannelTarget[];
  readonly route?: readonly { readonly condition?: AgentCondition; readonly targets: readonly AgentChannelTarget[] }[];
}

export interface AgentDropPlan {
  readonly role: "drop";
  readonly id: string;
  readonly condition: AgentCondition;
  readonly line: number;
}

export interface AgentChannelTarget {
  readonly channel: string;
  readonly optional: boolean;
}

/** A route or `drop()` condition as lowered: `!=`, `!~` and `not in` are `not` around a comparison. */
export type AgentCondition =
  | { readonly any: readonly AgentCondition[] }
  | { readonly all: readonly AgentCondition[] }
  | { readonly not: AgentCondition }
  | { readonly subject: AgentSubject; readonly test: "equals"; readonly value: string }
  | { readonly subject: AgentSubject; readonly test: "oneOf"; readonly values: readonly string[] }
  | { readonly subject: AgentSubject; readonly test: "matches"; readonly pattern: string; readonly flags: string }
  | { readonly subject: AgentSubject; readonly test: "exists" };

export type AgentSubject = { readonly header: string } | { readonly body: true };

export function isEnvValue(value: AgentPlanValue): value is { readonly $env: number } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$env" in value;
}
