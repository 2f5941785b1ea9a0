import type { PropertyType, PropertyValue } from "../../runtime/spec";
import type { ComponentPlan, PlanValue, TierPlan } from "../ir";

/** A property as deployment sees it: a value fixed at build time, or the environment variable that sets it. */
export type DeployValue = PropertyValue | { readonly env: string; readonly default?: PropertyValue };

/** A source that accepts connections. */
export interface Listen {
  readonly source: string;
  readonly kind: string;
  /** Null for a kind without a `bind` property. */
  readonly bind: DeployValue | null;
  readonly port: DeployValue;
}

/** A place on disk a component writes: a sink's file (`path`) or a channel's directory (`dir`). */
export interface Write {
  readonly component: string;
  readonly role: "sink" | "channel";
  readonly kind: string;
  readonly property: "path" | "dir";
  /** A file (its directory is what must be writable) or a directory. */
  readonly writes: "file" | "directory";
  readonly path: DeployValue;
}

export interface EnvVariable {
  readonly name: string;
  readonly target: string;
  readonly type: PropertyType;
  readonly default?: PropertyValue;
}

/** What an agent touches on its host, for its manifest and its systemd unit. */
export interface HostFootprint {
  readonly listens: readonly Listen[];
  readonly writes: readonly Write[];
  readonly env: readonly EnvVariable[];
}

/**
 * The properties that mean the same thing in every spec that has them, so the footprint is read off the
 * plan without knowing any kind: a source with `port` listens (on `bind`), a sink's `path` is a file it
 * writes, a channel's `dir` a directory it writes. A new kind that follows these names is covered.
 */
const WRITTEN: readonly { readonly role: "sink" | "channel"; readonly property: "path" | "dir"; readonly writes: "file" | "directory" }[] = [
  { role: "sink", property: "path", writes: "file" },
  { role: "channel", property: "dir", writes: "directory" },
];

export function hostFootprint(plan: TierPlan): HostFootprint {
  const value = (planValue: PlanValue): DeployValue => deployValue(plan, planValue);
  const listens = plan.sources.flatMap((source): Listen[] => {
    const port = source.config["port"];
    if (port === undefined) return [];
    const bind = source.config["bind"];
    return [{ source: source.id, kind: source.kind, bind: bind === undefined ? null : value(bind), port: value(port) }];
  });
  const components: readonly ComponentPlan[] = [...plan.channels, ...plan.sinks];
  const writes = components.flatMap((component) =>
    WRITTEN.flatMap((rule): Write[] => {
      const written = component.role === rule.role ? component.config[rule.property] : undefined;
      if (written === undefined) return [];
      return [{ component: component.id, role: rule.role, kind: component.kind, property: rule.property, writes: rule.writes, path: value(written) }];
    }),
  );
  const env = plan.env.map((lookup): EnvVariable => ({
    name: lookup.name,
    target: lookup.target,
    type: lookup.type,
    ...(lookup.fallback === undefined ? {} : { default: lookup.fallback }),
  }));
  return { listens, writes, env };
}

function deployValue(plan: TierPlan, value: PlanValue): DeployValue {
  if (typeof value !== "object" || Array.isArray(value) || !("$env" in value)) return value as PropertyValue;
  const lookup = plan.env[value.$env];
  if (lookup === undefined) throw new Error(`plan of tier \`${plan.tier}\` has no env lookup ${value.$env}`);
  return lookup.fallback === undefined ? { env: lookup.name } : { env: lookup.name, default: lookup.fallback };
}

export function isEnvDeployValue(value: DeployValue | null): value is { readonly env: string; readonly default?: PropertyValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "env" in value;
}
