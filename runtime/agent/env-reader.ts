import { parseDuration, parseSize } from "../spec/units";
import { compileRegex, type PropertyType, type PropertyValue } from "../spec/property-type";

/** One `env()` the agent reads at start, as the compiler recorded it. */
export interface EnvLookup {
  /** Environment variable name. */
  readonly name: string;
  /** Where the value lands, e.g. `source lines, property port`. */
  readonly target: string;
  readonly type: PropertyType;
  readonly fallback?: PropertyValue;
}

/**
 * Reads `env()` values when the agent starts, converting each to its property's type. Every problem is
 * collected, so a user fixing the environment sees all of them at once.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly environment: NodeJS.ProcessEnv = process.env) {}

  read<T extends PropertyValue>(lookup: EnvLookup): T {
    const raw = this.environment[lookup.name];
    if (raw === undefined || raw === "") {
      if (lookup.fallback !== undefined) return lookup.fallback as T;
      this.problems.push(`environment variable ${lookup.name} is not set (needed for ${lookup.target})`);
      return placeholder(lookup.type) as T;
    }
    const converted = convertEnvValue(raw, lookup.type);
    if (!converted.ok) {
      this.problems.push(`environment variable ${lookup.name}=${JSON.stringify(raw)} is not valid for ${lookup.target}: ${converted.reason}`);
      return placeholder(lookup.type) as T;
    }
    return converted.value as T;
  }
}

/** A value of the right type that is never used: the agent stops before starting when problems exist. */
function placeholder(type: PropertyType): PropertyValue {
  switch (type.kind) {
    case "string":
    case "enum":
      return "";
    case "boolean":
      return false;
    case "list":
      return [];
    case "map":
      return {};
    default:
      return 0;
  }
}

type Conversion = { readonly ok: true; readonly value: PropertyValue } | { readonly ok: false; readonly reason: string };

const ok = (value: PropertyValue): Conversion => ({ ok: true, value });
const fail = (reason: string): Conversion => ({ ok: false, reason });

/** Converts an environment string to a property's type, the way `.flow` literals of that type read. */
export function convertEnvValue(raw: string, type: PropertyType): Conversion {
  // Strings are taken verbatim; for every other type surrounding whitespace is noise (e.g. from YAML).
  const text = type.kind === "string" ? raw : raw.trim();
  switch (type.kind) {
    case "string":
      return ok(raw);
    case "boolean":
      return text === "true" ? ok(true) : text === "false" ? ok(false) : fail("expected `true` or `false`");
    case "integer": {
      const digits = text.replaceAll("_", "");
      const value = /^-?\d+$/.test(digits) ? Number(digits) : Number.NaN;
      return Number.isSafeInteger(value) ? inRange(value, type.min, type.max) : fail("expected an integer");
    }
    case "duration": {
      const value = parseDuration(text);
      return value === undefined ? fail("expected a duration such as `250ms`, `5s` or `10m`") : inRange(value, type.min, undefined);
    }
    case "size": {
      const value = parseSize(text);
      return value === undefined ? fail("expected a size such as `512KB` or `64MiB`") : inRange(value, type.min, undefined);
    }
    case "enum":
      return type.values.includes(text) ? ok(text) : fail(`expected one of ${type.values.join(", ")}`);
    case "regex": {
      // `/pattern/flags` as in a .flow file, or a bare pattern as in Flume's properties.
      const literal = /^\/.*\/[A-Za-z]*$/s.test(text) ? text : `/${text.replaceAll("/", "\\/")}/`;
      try {
        compileRegex(literal);
      } catch (error) {
        return fail(`not a valid regular expression: ${(error as Error).message}`);
      }
      return ok(literal);
    }
    case "link":
      // Links are resolved at build time (the checker refuses `env()` for them).
      return fail("a link to another tier is fixed at build time");
    case "map": {
      // `name=value,name=value`, for a whole map set from one variable.
      const entries: Record<string, PropertyValue> = {};
      for (const item of text.split(",")) {
        if (item.trim() === "") continue;
        const equals = item.indexOf("=");
        if (equals <= 0) return fail("expected `name=value` pairs separated by commas");
        const converted = convertEnvValue(item.slice(equals + 1).trim(), type.of);
        if (!converted.ok) return converted;
        entries[item.slice(0, equals).trim()] = converted.value;
      }
      return ok(entries);
    }
    case "list": {
      const values: PropertyValue[] = [];
      for (const item of text.split(",")) {
        const converted = convertEnvValue(item.trim(), type.of);
        if (!converted.ok) return converted;
        values.push(converted.value);
      }
      return ok(values);
    }
  }
}

function inRange(value: number, min: number | undefined, max: number | undefined): Conversion {
  if (min !== undefined && value < min) return fail(`must be at least ${min}`);
  if (max !== undefined && value > max) return fail(`must be at most ${max}`);
  return ok(value);
}
