/**
 * An optional path or secret as configured: an empty string counts as not set, so `env("NAME", "")`
 * leaves the feature off when the variable is unset.
 */
export function optionalSetting(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
