/**
 * The types a component property can have. The checker validates `.flow` values against these, the IR
 * resolves them to plain values (durations in milliseconds, sizes in bytes) and the runtime reads those.
 */
export type PropertyType =
  | { readonly kind: "string" }
  | { readonly kind: "integer"; readonly min?: number; readonly max?: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "duration"; readonly min?: number }
  | { readonly kind: "size"; readonly min?: number }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** Written `/pattern/flags` (or as a string: a pattern without flags); resolved to `/pattern/flags`, see `compileRegex`. */
  | { readonly kind: "regex" }
  | { readonly kind: "list"; readonly of: PropertyType }
  /**
   * A block of `name = value` entries, e.g. HTTP headers: `headers { Authorization = env("AUTH") }`;
   * names that are not identifiers are quoted (`"X-Team" = "ops"`). Each value may be an `env()` lookup.
   */
  | { readonly kind: "map"; readonly of: ScalarPropertyType }
  /**
   * A reference `tier.source` to a source of kind `to` in another tier of the same build, e.g. a `forward`
   * sink's `to = collector.inbound`. Checked across tiers at build time; resolved to the text `tier.source`.
   */
  | { readonly kind: "link"; readonly to: string; readonly agree?: readonly LinkAgreement[] };

/**
 * A setting that must agree between the two ends of a link between tiers, checked at build time when both
 * values are written in the files (values from `env()` are the deployer's to match). `here` names a property
 * of the linking component, `there` one of the linked source.
 */
export type LinkAgreement =
  /** Equal values (defaults count); with `inherit`, an unset `here` takes the value written `there`. */
  | { readonly rule: "same"; readonly here: string; readonly there: string; readonly inherit?: boolean }
  /** Set on both ends or on neither (e.g. a shared key). */
  | { readonly rule: "both-or-neither"; readonly here: string; readonly there: string }
  /** When `here` has the value `when`, the boolean `there` must be true (e.g. gzip needs the receiver to allow it). */
  | { readonly rule: "allowed-by"; readonly here: string; readonly when: string | number | boolean; readonly there: string };

/** The types a `map` entry can have: a single value, not a list, map or link. */
export type ScalarPropertyType = Exclude<PropertyType, { readonly kind: "list" | "map" | "link" }>;

/** A resolved property value as the IR carries it and the runtime receives it. */
export type PropertyValue = string | number | boolean | readonly PropertyValue[] | PropertyMap;

/** The resolved value of a `map` property. */
export interface PropertyMap {
  readonly [name: string]: PropertyValue;
}

/** The TypeScript type a property of type `T` has once resolved. */
export type ValueOf<T extends PropertyType> = T extends { kind: "string" | "regex" | "link" }
  ? string
  : T extends { kind: "integer" | "duration" | "size" }
    ? number
    : T extends { kind: "boolean" }
      ? boolean
      : T extends { kind: "enum"; values: readonly (infer V)[] }
        ? V
        : T extends { kind: "list"; of: infer Of extends PropertyType }
          ? readonly ValueOf<Of>[]
          : T extends { kind: "map"; of: { kind: "string" } }
            ? Readonly<Record<string, string>>
            : T extends { kind: "map" }
              ? Readonly<Record<string, string | number | boolean>>
              : never;

/** Describes a property type in words, for diagnostics and generated docs. */
export function describePropertyType(type: PropertyType): string {
  switch (type.kind) {
    case "string":
      return "a string";
    case "integer":
      return "an integer";
    case "boolean":
      return "a boolean";
    case "duration":
      return "a duration (e.g. `250ms`, `5s`, `10m`)";
    case "size":
      return "a size (e.g. `512KB`, `64MiB`)";
    case "enum":
      return `one of ${type.values.map((v) => `\`${v}\``).join(", ")}`;
    case "regex":
      return "a regular expression (e.g. `/error|fatal/i`)";
    case "list":
      return `a list of ${describePropertyType(type.of).replace(/^an? /, "")}s`;
    case "map":
      return `a block of names to ${describePropertyType(type.of).replace(/^an? /, "").replace(/ \(.*\)$/, "")}s (e.g. \`{ "X-Team" = "ops" }\`)`;
    case "link":
      return `a reference \`tier.source\` to a \`${type.to}\` source of another tier`;
  }
}

/**
 * Compiles a regex property value as the compiler resolved it: `/pattern/flags`. Done once, when the
 * component is constructed, never per event.
 */
export function compileRegex(literal: string): RegExp {
  const close = literal.lastIndexOf("/");
  if (!literal.startsWith("/") || close <= 0) return new RegExp(literal);
  return new RegExp(literal.slice(1, close), literal.slice(close + 1));
}
