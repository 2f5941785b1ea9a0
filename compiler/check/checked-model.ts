import type { ComponentSpec, PropertyValue } from "../../runtime/spec";
import type { ComponentDecl, FlowFile, TierDecl } from "../ast";

/** A property value after checking: a literal of the property's type, or an `env()` read at start. */
export type ResolvedValue =
  | { readonly kind: "literal"; readonly value: PropertyValue }
  | { readonly kind: "env"; readonly name: string; readonly fallback?: PropertyValue };

export interface CheckedComponent {
  readonly decl: ComponentDecl;
  readonly spec: ComponentSpec;
  /** Properties the file sets, by name (defaults are not filled in here). */
  readonly properties: ReadonlyMap<string, ResolvedValue>;
}

/** A link `from -> to` between two components of one tier. */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

export interface CheckedTier {
  readonly decl: TierDecl;
  /** Components with a known kind, in declaration order. */
  readonly components: readonly CheckedComponent[];
  readonly edges: readonly Edge[];
}

/** What the checker hands to the IR: only meaningful when it reported no errors. */
export interface CheckedFile {
  readonly ast: FlowFile;
  readonly tiers: readonly CheckedTier[];
}
