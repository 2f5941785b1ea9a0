import type { ComponentRole, PropertyValue } from "../spec";
import type { EnvLookup } from "./env-reader";

/**
 * The tier's plan as an agent carries it, for `--describe`: the compiler's `TierPlan` (compiler/ir/plan.ts,
 * which defines it) embedded as JSON by the generated code. The runtime does not import the compiler, so
 * the shape is declared here too; fields the agent does not read are typed loosely. Two checks keep the
 * declarations in step: test/runtime/describe.test.ts assigns a `TierPlan` to an `AgentPlan`, and the
 * generated code of every example is type-checked against the runtime (test/compiler/codegen.test.ts),
 * which fails on a plan field declared only in the compiler.
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
  /** The `.flow` file's `test` blocks (run by `flowc test`, not by the agent). */
  readonly tests: readonly unknown[];
}

/** A property: a value known at build time, or the index of its `env()` lookup in `AgentPlan.env`. */
export type AgentPlanValue = PropertyValue | { readonly $env: number };

export interface AgentComponentPlan {
  readonly id: string;
  readonly role: ComponentRole;
  readonly kind: string;
  /** The runtime class that implements the kind. */
  readonly implementation: string;
  readonly config: Readonly<Record<string, AgentPlanValue>>;
  readonly line: number;
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
