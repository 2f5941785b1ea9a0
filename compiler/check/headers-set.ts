import type { ComponentSpec, HeaderOrigin } from "../../runtime/spec";
import type { CheckedComponent, CheckedInterceptor, ResolvedValue } from "./checked-model";

/** Header names a source's events carry; `any` when senders choose them or a name is only known at run time. */
export interface HeadersSet {
  readonly names: Set<string>;
  any: boolean;
}

export function emptyHeaders(): HeadersSet {
  return { names: new Set(), any: false };
}

/** Adds the headers that a component (a source or an interceptor) with these properties sets. */
export function addHeadersOf(into: HeadersSet, spec: ComponentSpec, properties: ReadonlyMap<string, ResolvedValue>): void {
  for (const origin of spec.setsHeaders ?? []) {
    if ("any" in origin) into.any = true;
    else if ("name" in origin) into.names.add(origin.name);
    // A property the origin reads was reported as wrong: its headers are unknown, so nothing is flagged.
    else if (properties.get(originProperty(origin))?.kind === "invalid") into.any = true;
    else if ("nameFrom" in origin) {
      const value = properties.get(origin.nameFrom) ?? literalDefault(spec, origin.nameFrom);
      // An optional header-name property left unset (e.g. taildir's `file_header`) sets no header.
      if (value === undefined) continue;
      if (value.kind === "literal" && typeof value.value === "string") into.names.add(value.value);
      else into.any = true;
    } else if ("keysOf" in origin) {
      const value = properties.get(origin.keysOf) ?? literalDefault(spec, origin.keysOf);
      if (value === undefined) continue;
      if (value.kind === "map") for (const name of value.entries.keys()) into.names.add(name);
      else if (value.kind === "literal" && typeof value.value === "object" && !Array.isArray(value.value)) for (const name of Object.keys(value.value)) into.names.add(name);
      else into.any = true;
    } else {
      const value = properties.get(origin.groupsOf) ?? literalDefault(spec, origin.groupsOf);
      if (value?.kind === "literal" && typeof value.value === "string") {
        for (const match of value.value.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)) into.names.add(match[1] as string);
      } else into.any = true;
    }
  }
}

/** The headers after a chain of interceptors, starting from the source's own. */
export function addHeadersOfChain(into: HeadersSet, chain: readonly CheckedInterceptor[]): void {
  for (const link of chain) if (link.kind === "component") addHeadersOf(into, link.spec, link.properties);
}

/** The headers a source's events carry once its interceptor chain ran. */
export function headersOfSource(source: CheckedComponent): HeadersSet {
  const headers = emptyHeaders();
  addHeadersOf(headers, source.spec, source.properties);
  addHeadersOfChain(headers, source.interceptors);
  return headers;
}

function literalDefault(spec: ComponentSpec, property: string): ResolvedValue | undefined {
  const fallback = spec.properties[property]?.default;
  return fallback === undefined ? undefined : { kind: "literal", value: fallback };
}

/** The property a header origin reads its names from. */
function originProperty(origin: Exclude<HeaderOrigin, { readonly any: true } | { readonly name: string }>): string {
  return "nameFrom" in origin ? origin.nameFrom : "keysOf" in origin ? origin.keysOf : origin.groupsOf;
}
