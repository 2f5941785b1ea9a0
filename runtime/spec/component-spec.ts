import type { PropertyType, ValueOf } from "./property-type";

/**
 * What a component does in a topology. Interceptors run in a source's chain (`source s = tcp {…} | host()`);
 * groups are sink groups (`group out = failover { sinks = [a, b] }`), run by one sink runner.
 */
export type ComponentRole = "source" | "channel" | "sink" | "interceptor" | "group";

export interface PropertySpec {
  readonly type: PropertyType;
  readonly doc: string;
  /** A property with neither `required` nor `default` is optional and reaches the runtime as `undefined`. */
  readonly required?: boolean;
  readonly default?: ValueOf<PropertyType>;
  /** The value shapes generated code, so `env()` is refused (FLOW3008). */
  readonly buildTime?: boolean;
}

/**
 * A header a component sets on the events it emits, so the checker can warn when a route reads a
 * header that nothing upstream sets (FLOW4015).
 */
export type HeaderOrigin =
  /** Always this header. */
  | { readonly name: string }
  /** The header named by this property's value (e.g. the `header` property of `host`). */
  | { readonly nameFrom: string; readonly defaultName?: string }
  /** One header per named group of this regex property (e.g. `regex_extractor`). */
  | { readonly groupsOf: string }
  /** Headers chosen by whoever sends the events (JSON events over HTTP, events from another agent). */
  | { readonly any: true };

/**
 * The single declaration of a component kind. The checker, the code generator, the generated docs and the
 * runtime all read this; nothing about a kind is listed anywhere else.
 */
export interface ComponentSpec {
  readonly role: ComponentRole;
  /** The name users write after `=`, e.g. `tcp` in `source s = tcp { … }`. */
  readonly kind: string;
  readonly summary: string;
  readonly properties: Readonly<Record<string, PropertySpec>>;
  /** The runtime export that implements the kind (a class taking the resolved config). */
  readonly implementation: string;
  /** Headers that events leaving this component carry. */
  readonly setsHeaders?: readonly HeaderOrigin[];
  /** For groups: the role of the members listed in `sinks = [...]` and how many are needed. */
  readonly members?: { readonly role: "sink"; readonly min: number };
  /** Whether the component tells its sender that an event was accepted only once its channel committed it. */
  readonly acknowledges?: boolean;
}

type IsPresent<P extends PropertySpec> = P extends { required: true } ? true : P extends { default: unknown } ? true : false;

/** The resolved configuration a component's implementation receives, derived from its spec. */
export type ConfigOf<S extends { properties: Readonly<Record<string, PropertySpec>> }> = {
  readonly [K in keyof S["properties"] as IsPresent<S["properties"][K]> extends true ? K : never]: ValueOf<
    S["properties"][K]["type"]
  >;
} & {
  readonly [K in keyof S["properties"] as IsPresent<S["properties"][K]> extends true ? never : K]?: ValueOf<
    S["properties"][K]["type"]
  >;
};
