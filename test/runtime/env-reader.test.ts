import { describe, expect, it } from "vitest";
import { convertEnvValue, EnvReader, type EnvLookup } from "../../runtime/agent/env-reader";
import type { PropertyType } from "../../runtime/spec/property-type";

const STRING: PropertyType = { kind: "string" };
const PORT: PropertyType = { kind: "integer", min: 0, max: 65_535 };
const BOOLEAN: PropertyType = { kind: "boolean" };
const DURATION: PropertyType = { kind: "duration", min: 1 };
const SIZE: PropertyType = { kind: "size", min: 1 };
const LEVEL: PropertyType = { kind: "enum", values: ["debug", "info", "warn"] };

function lookup(name: string, type: PropertyType, fallback?: EnvLookup["fallback"]): EnvLookup {
  const base = { name, target: `source s, property ${name.toLowerCase()}`, type };
  return fallback === undefined ? base : { ...base, fallback };
}

/** Reads one variable from an environment holding only `vars`. */
function readOne(vars: Record<string, string>, l: EnvLookup): { value: unknown; problems: string[] } {
  const reader = new EnvReader(vars);
  const value = reader.read(l);
  return { value, problems: reader.problems };
}

describe("EnvReader", () => {
  describe("conversions by property type", () => {
    it("reads a string as is", () => {
      expect(readOne({ HOST: " my host " }, lookup("HOST", STRING))).toEqual({ value: " my host ", problems: [] });
    });

    it("reads an integer, allowing surrounding spaces, underscores and a minus sign", () => {
      expect(readOne({ PORT: "5140" }, lookup("PORT", PORT)).value).toBe(5140);
      expect(readOne({ PORT: " 8080 " }, lookup("PORT", PORT)).value).toBe(8080);
      expect(readOne({ PORT: "10_000" }, lookup("PORT", PORT)).value).toBe(10_000);
      expect(readOne({ N: "-3" }, lookup("N", { kind: "integer" })).value).toBe(-3);
    });

    it("ignores surrounding whitespace for every type but strings", () => {
      expect(convertEnvValue(" true\n", { kind: "boolean" })).toEqual({ ok: true, value: true });
      expect(convertEnvValue(" warn ", { kind: "enum", values: ["info", "warn"] })).toEqual({ ok: true, value: "warn" });
      expect(convertEnvValue(" 5s ", { kind: "duration" })).toEqual({ ok: true, value: 5_000 });
      expect(convertEnvValue(" 64MiB", { kind: "size" })).toEqual({ ok: true, value: 67_108_864 });
    });

    it("accepts integers at both bounds and rejects them outside", () => {
      expect(readOne({ PORT: "0" }, lookup("PORT", PORT))).toEqual({ value: 0, problems: [] });
      expect(readOne({ PORT: "65535" }, lookup("PORT", PORT))).toEqual({ value: 65_535, problems: [] });
      const high = readOne({ PORT: "65536" }, lookup("PORT", PORT));
      expect(high.problems).toEqual([
        'environment variable PORT="65536" is not valid for source s, property port: must be at most 65535',
      ]);
      const low = readOne({ PORT: "-1" }, lookup("PORT", PORT));
      expect(low.problems).toHaveLength(1);
      expect(low.problems[0]).toContain("must be at least 0");
    });

    it("rejects text, fractions and unsafe integers", () => {
      for (const raw of ["abc", "12abc", "1.5", "1e3", "+5", "0x10", "99999999999999999999", "  "]) {
        const { value, problems } = readOne({ PORT: raw }, lookup("PORT", PORT));
        expect(problems, raw).toEqual([`environment variable PORT=${JSON.stringify(raw)} is not valid for source s, property port: expected an integer`]);
        expect(value, raw).toBe(0);
      }
    });

    it("reads booleans, only `true` and `false`", () => {
      expect(readOne({ SYNC: "true" }, lookup("SYNC", BOOLEAN)).value).toBe(true);
      expect(readOne({ SYNC: "false" }, lookup("SYNC", BOOLEAN)).value).toBe(false);
      for (const raw of ["yes", "1", "TRUE", "False"]) {
        const { value, problems } = readOne({ SYNC: raw }, lookup("SYNC", BOOLEAN));
        expect(value, raw).toBe(false);
        expect(problems, raw).toHaveLength(1);
        expect(problems[0], raw).toContain("expected `true` or `false`");
      }
    });

    it("reads durations in milliseconds", () => {
      const cases: [string, number][] = [
        ["250ms", 250],
        ["5s", 5_000],
        ["10m", 600_000],
        ["2h", 7_200_000],
        ["1d", 86_400_000],
        ["1_500ms", 1_500],
      ];
      for (const [raw, ms] of cases) expect(readOne({ T: raw }, lookup("T", DURATION)), raw).toEqual({ value: ms, problems: [] });
    });

    it("rejects malformed durations and those below the minimum", () => {
      for (const raw of ["5", "5 s", "1.5s", "5sec", "s", "-5s"]) {
        const { problems } = readOne({ T: raw }, lookup("T", DURATION));
        expect(problems, raw).toHaveLength(1);
        expect(problems[0], raw).toContain("expected a duration such as `250ms`, `5s` or `10m`");
      }
      const zero = readOne({ T: "0s" }, lookup("T", DURATION));
      expect(zero.problems[0]).toContain("must be at least 1");
    });

    it("reads sizes in bytes, decimal and binary units", () => {
      const cases: [string, number][] = [
        ["512B", 512],
        ["512KB", 512_000],
        ["64MiB", 67_108_864],
        ["1GB", 1_000_000_000],
        ["2KiB", 2_048],
        ["1TiB", 1_099_511_627_776],
      ];
      for (const [raw, bytes] of cases) expect(readOne({ S: raw }, lookup("S", SIZE)), raw).toEqual({ value: bytes, problems: [] });
    });

    it("rejects malformed sizes and those below the minimum", () => {
      for (const raw of ["64", "64mib", "64 MiB", "1.5MB", "64XB"]) {
        const { value, problems } = readOne({ S: raw }, lookup("S", SIZE));
        expect(value, raw).toBe(0);
        expect(problems[0], raw).toContain("expected a size such as `512KB` or `64MiB`");
      }
      expect(readOne({ S: "0B" }, lookup("S", SIZE)).problems[0]).toContain("must be at least 1");
    });

    it("reads an enum value from its list and rejects others, naming the choices", () => {
      expect(readOne({ L: "warn" }, lookup("L", LEVEL))).toEqual({ value: "warn", problems: [] });
      const bad = readOne({ L: "verbose" }, lookup("L", LEVEL));
      expect(bad.value).toBe("");
      expect(bad.problems).toEqual([
        'environment variable L="verbose" is not valid for source s, property l: expected one of debug, info, warn',
      ]);
    });

    it("reads a comma-separated list, converting and trimming each item", () => {
      expect(readOne({ HOSTS: "a, b ,c" }, lookup("HOSTS", { kind: "list", of: STRING })).value).toEqual(["a", "b", "c"]);
      expect(readOne({ PORTS: "1, 2,3" }, lookup("PORTS", { kind: "list", of: PORT })).value).toEqual([1, 2, 3]);
      expect(readOne({ T: "1s,250ms" }, lookup("T", { kind: "list", of: DURATION })).value).toEqual([1_000, 250]);
      expect(readOne({ ONE: "solo" }, lookup("ONE", { kind: "list", of: STRING })).value).toEqual(["solo"]);
    });

    it("rejects a list with an invalid item, with that item's reason", () => {
      const { value, problems } = readOne({ PORTS: "1,x,3" }, lookup("PORTS", { kind: "list", of: PORT }));
      expect(value).toEqual([]);
      expect(problems).toEqual(['environment variable PORTS="1,x,3" is not valid for source s, property ports: expected an integer']);
      expect(readOne({ PORTS: "1,70000" }, lookup("PORTS", { kind: "list", of: PORT })).problems[0]).toContain("must be at most 65535");
    });

    it("convertEnvValue reports ok or a reason", () => {
      expect(convertEnvValue("42", { kind: "integer" })).toEqual({ ok: true, value: 42 });
      expect(convertEnvValue("x", { kind: "integer" })).toEqual({ ok: false, reason: "expected an integer" });
    });
  });

  describe("fallbacks and missing variables", () => {
    it("uses the fallback when the variable is unset or empty", () => {
      expect(readOne({}, lookup("PORT", PORT, 5140))).toEqual({ value: 5140, problems: [] });
      expect(readOne({ PORT: "" }, lookup("PORT", PORT, 5140))).toEqual({ value: 5140, problems: [] });
      expect(readOne({}, lookup("HOSTS", { kind: "list", of: STRING }, ["x", "y"]))).toEqual({ value: ["x", "y"], problems: [] });
    });

    it("prefers a set variable over the fallback", () => {
      expect(readOne({ PORT: "9000" }, lookup("PORT", PORT, 5140))).toEqual({ value: 9000, problems: [] });
    });

    it("does not fall back when the variable is set but invalid", () => {
      const { value, problems } = readOne({ PORT: "nope" }, lookup("PORT", PORT, 5140));
      expect(value).toBe(0);
      expect(problems).toHaveLength(1);
    });

    it("records a missing variable without fallback, with its name and target", () => {
      const reader = new EnvReader({});
      const value = reader.read({ name: "LOG_DIR", target: "sink out, property path", type: STRING });
      expect(value).toBe("");
      expect(reader.problems).toEqual(["environment variable LOG_DIR is not set (needed for sink out, property path)"]);
    });

    it("treats an empty variable without fallback as missing", () => {
      const { problems } = readOne({ PORT: "" }, lookup("PORT", PORT));
      expect(problems).toEqual(["environment variable PORT is not set (needed for source s, property port)"]);
    });

    it("returns a placeholder of the right type for every kind when a value is missing", () => {
      const reader = new EnvReader({});
      expect(reader.read(lookup("A", STRING))).toBe("");
      expect(reader.read(lookup("B", PORT))).toBe(0);
      expect(reader.read(lookup("C", BOOLEAN))).toBe(false);
      expect(reader.read(lookup("D", DURATION))).toBe(0);
      expect(reader.read(lookup("E", SIZE))).toBe(0);
      expect(reader.read(lookup("F", LEVEL))).toBe("");
      expect(reader.read(lookup("G", { kind: "list", of: STRING }))).toEqual([]);
      expect(reader.problems).toHaveLength(7);
    });
  });

  it("collects every problem at once, in read order, while reading valid values normally", () => {
    const reader = new EnvReader({ PORT: "99999", SYNC: "maybe", DIR: "/var/log", BATCH: "100", MAX: "lots" });
    const port = reader.read<number>({ name: "PORT", target: "source in, property port", type: PORT });
    const dir = reader.read<string>({ name: "DIR", target: "sink out, property path", type: STRING });
    const sync = reader.read<boolean>({ name: "SYNC", target: "sink out, property sync", type: BOOLEAN });
    const missing = reader.read<string>({ name: "BIND", target: "source in, property bind", type: STRING });
    const batch = reader.read<number>({ name: "BATCH", target: "sink out, property batch_size", type: { kind: "integer", min: 1 } });
    const max = reader.read<number>({ name: "MAX", target: "source in, property max_line_length", type: SIZE });
    expect({ port, dir, sync, missing, batch, max }).toEqual({ port: 0, dir: "/var/log", sync: false, missing: "", batch: 100, max: 0 });
    expect(reader.problems).toEqual([
      'environment variable PORT="99999" is not valid for source in, property port: must be at most 65535',
      'environment variable SYNC="maybe" is not valid for sink out, property sync: expected `true` or `false`',
      "environment variable BIND is not set (needed for source in, property bind)",
      'environment variable MAX="lots" is not valid for source in, property max_line_length: expected a size such as `512KB` or `64MiB`',
    ]);
  });

  it("reads process.env by default", () => {
    const name = `FLOWC_TEST_ENV_${process.pid}`;
    process.env[name] = "hello";
    try {
      expect(new EnvReader().read({ name, target: "t", type: STRING })).toBe("hello");
    } finally {
      delete process.env[name];
    }
  });
});
