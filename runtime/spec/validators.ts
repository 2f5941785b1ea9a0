import type { PropertyValue } from "./property-type";

/** For `validate` in specs: a string property that must not be empty (a delimiter, a separator). */
export function nonEmpty(value: PropertyValue): string | undefined {
  return value === "" ? "it must not be empty" : undefined;
}
