import type { ComponentSpec, PropertyValue } from "../../runtime/spec";
import type { ComponentDecl, Condition, FlowFile, KindInterceptor, TestDecl, TierDecl } from "../ast";

/** A property value after checking: a literal of the property's type, or an `env()` read at start. */
export type ResolvedValue =
  | { readonly kind: "literal"; readonly value: PropertyValue }
  | { readonly kind: "env"; readonly name: string; readonly fallback?: PropertyValue }
  /** A `map` property written as a block: each entry a literal or an `env()` lookup, in the order written. */
  | { readonly kind: "map"; readonly entries: ReadonlyMap<string, ResolvedValue> }
  /** Written, but reported as wrong: later checks treat it as unknown rather than unset (no cascades). */
  | { readonly kind: "invalid" };

/** An interceptor of a source's chain; `line` is in the file that wrote it (a definition's, for inherited ones). */
export type CheckedInterceptor =
  | { readonly kind: "component"; readonly call: KindInterceptor; readonly spec: ComponentSpec; readonly properties: ReadonlyMap<string, ResolvedValue>; readonly line: number }
  | { readonly kind: "drop"; readonly condition: Condition; readonly line: number };

export interface CheckedComponent {
  readonly decl: ComponentDecl;
  readonly spec: ComponentSpec;
  /** Set properties by name: a shared definition's, overridden by the component's own. Defaults are not filled in. */
  readonly properties: ReadonlyMap<string, ResolvedValue>;
  /** Sources: the interceptor chain, a definition's first. */
  readonly interceptors: readonly CheckedInterceptor[];
  /** Groups: member sink names in priority order. */
  readonly members: readonly string[];
}

/** A link `from -> to` between two components of one tier. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  /** Best-effort channel of a source. */
  readonly optional: boolean;
}

export interface CheckedArm {
  /** Undefined for `else`. */
  readonly condition: Condition | undefined;
  readonly targets: readonly { readonly name: string; readonly optional: boolean }[];
}

export interface CheckedRoute {
  readonly source: string;
  readonly arms: readonly CheckedArm[];
}

export interface CheckedTier {
  readonly decl: TierDecl;
  readonly file: FlowFile;
  /** Components with a known kind, in declaration order. */
  readonly components: readonly CheckedComponent[];
  /** Wired links (source → channel, channel → sink or group); route targets are in `routes`. */
  readonly edges: readonly Edge[];
  readonly routes: readonly CheckedRoute[];
  readonly tests: readonly TestDecl[];
}

/** A component of one tier that sends to a source of another (a `forward` sink's `to = collector.inbound`). */
export interface CheckedLink {
  readonly fromTier: string;
  readonly from: string;
  /** The link property, e.g. `to`. */
  readonly property: string;
  readonly toTier: string;
  readonly to: string;
}

/** What the checker hands to the IR: only meaningful when it reported no errors. */
export interface CheckedTopology {
  /** The file named on the command line, then what it imports. */
  readonly files: readonly FlowFile[];
  readonly tiers: readonly CheckedTier[];
  /** Links between tiers, in tier and component order. */
  readonly links: readonly CheckedLink[];
}
