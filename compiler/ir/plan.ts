import type { EnvLookup } from "../../runtime/agent/env-reader";
import type { ComponentRole, PropertyValue } from "../../runtime/spec";

/** A property in a plan: a value known at build time, or the index of an `env()` lookup in `TierPlan.env`. */
export type PlanValue = PropertyValue | { readonly $env: number };

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

export interface SourcePlan extends ComponentPlan {
  readonly role: "source";
  /** The channels it puts into, in wiring order. */
  readonly channels: readonly string[];
}

export interface SinkPlan extends ComponentPlan {
  readonly role: "sink";
  readonly channel: string;
}

/**
 * Everything needed to generate one tier's agent, as plain JSON: no AST, no spans, no functions. Lists
 * are in declaration order, so the same input always gives the same plan (and the same binary).
 */
export interface TierPlan {
  readonly tier: string;
  readonly flowcVersion: string;
  /** The `.flow` file's name (no directory: the binary must not depend on where it was built). */
  readonly sourceFile: string;
  readonly env: readonly EnvLookup[];
  readonly channels: readonly ComponentPlan[];
  readonly sinks: readonly SinkPlan[];
  readonly sources: readonly SourcePlan[];
}
