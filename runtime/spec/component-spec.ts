import type { PropertyType, PropertyValue, ValueOf } from "./property-type";

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
  readonly default?: PropertyValue;
  /** The value shapes generated code, so `env()` is refused (FLOW3008). */
  readonly buildTime?: boolean;
  /**
   * A credential (password, token, key): a literal value in a `.flow` file is warned about (FLOW3009),
   * `env()` is the way to set it, and `--describe` and logs never print it.
   */
  readonly secret?: boolean;
  /**
   * The value is a path the agent writes: a `file` (its directory must be writable; escapes such as `%Y`
   * or `%{host}` make it a template, whose fixed prefix is what the manifest and systemd unit list) or a
   * `directory`. The deploy artefacts read this, not property names.
   */
  readonly writes?: "file" | "directory";
  /**
   * Refuses values the type alone allows but the component cannot use (an empty delimiter, a template
   * with an unknown placeholder, an unknown time zone): returns why, or undefined. Runs in the checker on
   * values written in the file (FLOW3004), and the component checks `env()` values again when it starts.
   * Must be pure and free of dependencies: agents carry specs.
   */
  readonly validate?: (value: PropertyValue) => string | undefined;
  /**
   * Other settings this property is meaningless without: a property name must be set too (`users` needs
   * `shared_key`), `{ property, equals }` must have that value (`tls_cert` needs `tls = true`). The checker
   * reports a value written without them (FLOW3011); values from `env()` are the agent's to check.
   */
  readonly requires?: readonly (string | { readonly property: string; readonly equals: PropertyValue })[];
  /**
   * The value is the port a source listens on (with its `bind` property, when the spec has one). For
   * `tcp+udp`, a `protocol` property set to `tcp` or `udp` narrows it.
   */
  readonly listens?: "tcp" | "udp" | "tcp+udp";
  /**
   * The value names headers of the events the component receives: `name`, the value is a header name (a
   * Kafka sink's `key_header`); `template`, a text whose `%{name}` escapes read headers (a files sink's
   * `path`, a Kafka sink's `topic`). The checker warns when nothing upstream of the component sets one.
   */
  readonly readsHeaders?: "name" | "template";
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
  /** One header per entry of this `map` property (e.g. the generator's `headers`). */
  | { readonly keysOf: string }
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
  /**
   * Sets of alternative properties: exactly one of each set must be given (a Kafka source's `topics` or
   * `topics_pattern`). The checker reports none or several (FLOW3012).
   */
  readonly oneOf?: readonly (readonly string[])[];
  /** How many components of this kind one tier may have (e.g. 1 for `stdin`: a process has one). */
  readonly maxPerTier?: number;
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

/**
 * Whether an entry of a `secret` map holds a credential, judged by its name (`Authorization`, `X-Api-Key`,
 * `Cookie`, `password`, …): the checker warns about those written in the file and `--describe` masks them.
 */
export function isCredentialName(name: string): boolean {
  return /auth|token|key|secret|passw|cookie|credential|signature/i.test(name);
}
