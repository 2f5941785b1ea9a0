import { posix } from "node:path";
import { findSpec } from "../../runtime/registry";
import type { ComponentRole, PropertyType, PropertyValue } from "../../runtime/spec";
import type { ComponentPlan, PlanValue, TierPlan } from "../ir";

/** A property as deployment sees it: a value fixed at build time, or the environment variable that sets it. */
export type DeployValue = PropertyValue | { readonly env: string; readonly default?: PropertyValue };

/** A source that accepts connections or datagrams. */
export interface Listen {
  readonly source: string;
  readonly kind: string;
  readonly protocol: "tcp" | "udp" | "tcp+udp";
  /** Null for a kind without a `bind` property. */
  readonly bind: DeployValue | null;
  readonly port: DeployValue;
}

/** A place on disk a component writes: a sink's file, a channel's directory, a source's position file. */
export interface Write {
  readonly component: string;
  readonly role: ComponentRole;
  readonly kind: string;
  readonly property: string;
  /** A file (its directory is what must be writable) or a directory. */
  readonly writes: "file" | "directory";
  /** As written; a file name may be a template with escapes such as `%Y` or `%{host}` (see `fixedDirectory`). */
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
 * Read off the plan through the specs: a property marked `listens` is a port the source listens on (with
 * its `bind`), one marked `writes` a path the component writes. No kind is named here.
 */
export function hostFootprint(plan: TierPlan): HostFootprint {
  const value = (planValue: PlanValue): DeployValue => deployValue(plan, planValue);
  const components: readonly ComponentPlan[] = [...plan.sources, ...plan.channels, ...plan.sinks];
  const listens: Listen[] = [];
  const writes: Write[] = [];
  for (const component of components) {
    const properties = findSpec(component.role, component.kind)?.properties ?? {};
    for (const [key, spec] of Object.entries(properties)) {
      const configured = component.config[key];
      if (configured === undefined) continue;
      if (spec.listens !== undefined && component.role === "source") {
        const bind = component.config["bind"];
        listens.push({ source: component.id, kind: component.kind, protocol: narrowed(spec.listens, component.config["protocol"]), bind: bind === undefined ? null : value(bind), port: value(configured) });
      }
      if (spec.writes !== undefined) {
        writes.push({ component: component.id, role: component.role, kind: component.kind, property: key, writes: spec.writes, path: value(configured) });
      }
    }
  }
  const env = plan.env.map((lookup): EnvVariable => ({
    name: lookup.name,
    target: lookup.target,
    type: lookup.type,
    ...(lookup.fallback === undefined ? {} : { default: lookup.fallback }),
  }));
  return { listens, writes, env };
}

/** A source that can listen on both takes a `protocol` property (`tcp`, `udp`, `both`) to choose. */
function narrowed(listens: Listen["protocol"], protocol: PlanValue | undefined): Listen["protocol"] {
  if (listens !== "tcp+udp") return listens;
  return protocol === "tcp" ? "tcp" : protocol === "udp" ? "udp" : listens;
}

/** A Flume-style escape in a path template: `%{header}`, `%[localhost]`, or `%` and a letter. */
const ESCAPE = /%(\{[^}]*\}|\[[^\]]*\]|[A-Za-z])/;

/**
 * The directory that must be writable for a written path: a file's directory, or the directory itself;
 * for a file name template, the fixed directory its expansions all lie under (`logs/%Y/%m/app.log` → `logs`).
 * Directories are taken as written: no kind expands escapes in a directory.
 */
export function fixedDirectory(path: string, writes: "file" | "directory"): string {
  if (writes === "directory") return path;
  const escape = ESCAPE.exec(path);
  if (escape === null) return posix.dirname(path);
  const fixed = path.slice(0, escape.index);
  const slash = fixed.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : fixed.slice(0, slash);
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
