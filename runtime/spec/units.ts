/**
 * Duration and size units, shared by the `.flow` lexer/checker and by the agent when it parses `env()`
 * values, so `5s` or `64MiB` mean the same thing in a file and in an environment variable.
 */
export const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const SIZE_UNITS_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  TB: 1_000_000_000_000,
  KiB: 1_024,
  MiB: 1_048_576,
  GiB: 1_073_741_824,
  TiB: 1_099_511_627_776,
};

const QUANTITY = /^(\d[\d_]*)([A-Za-z]+)$/;

function parseQuantity(text: string, units: Readonly<Record<string, number>>): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (match === null) return undefined;
  const unit = units[match[2] as string];
  if (unit === undefined) return undefined;
  const amount = Number((match[1] as string).replaceAll("_", ""));
  return Number.isSafeInteger(amount * unit) ? amount * unit : undefined;
}

/** `250ms` → 250, `5s` → 5000; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  return parseQuantity(text, DURATION_UNITS_MS);
}

/** `512KB` → 512000, `64MiB` → 67108864; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  return parseQuantity(text, SIZE_UNITS_BYTES);
}
