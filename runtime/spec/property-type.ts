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
  | { readonly kind: "list"; readonly of: PropertyType };

/** A resolved property value as the IR carries it and the runtime receives it. */
export type PropertyValue = string | number | boolean | readonly PropertyValue[];

/** The TypeScript type a property of type `T` has once resolved. */
export type ValueOf<T extends PropertyType> = T extends { kind: "string" | "regex" }
  ? string
  : T extends { kind: "integer" | "duration" | "size" }
    ? number
    : T extends { kind: "boolean" }
      ? boolean
      : T extends { kind: "enum"; values: readonly (infer V)[] }
        ? V
        : T extends { kind: "list"; of: infer Of extends PropertyType }
          ? readonly ValueOf<Of>[]
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
