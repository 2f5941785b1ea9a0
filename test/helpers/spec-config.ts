import type { ComponentSpec, ConfigOf } from "../../runtime/spec";

/** A component's resolved config as the compiler would produce it: the spec's defaults, then `values`. */
export function configOf<S extends ComponentSpec>(spec: S, values: Partial<ConfigOf<S>> = {}): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(spec.properties)) if (property.default !== undefined) config[key] = property.default;
  return { ...config, ...values } as ConfigOf<S>;
}
