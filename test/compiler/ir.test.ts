import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/pipeline";
import { FLOWC_VERSION } from "../../compiler/package-root";

const QUICKSTART = join(__dirname, "..", "..", "examples", "quickstart.flow");

describe("tier plans", () => {
  const result = compileSource("examples/quickstart.flow", readFileSync(QUICKSTART, "utf8"));
  const plan = result.plans?.[0];

  it("has one plan per tier with every property resolved or defaulted", () => {
    expect(result.plans).toHaveLength(1);
    expect(plan).toMatchObject({ tier: "quickstart", flowcVersion: FLOWC_VERSION, sourceFile: "quickstart.flow" });
    expect(plan?.channels).toEqual([
      { id: "buffer", role: "channel", kind: "memory", implementation: "MemoryChannel", config: { capacity: 10_000, transaction_capacity: 1_000, byte_capacity: 268_435_456 }, line: 13 },
    ]);
    expect(plan?.sources[0]).toMatchObject({
      id: "lines",
      targets: [{ channel: "buffer", optional: false }],
      interceptors: [],
      config: { bind: "127.0.0.1", port: { $env: 0 }, batch_size: 1_000, max_line_length: 1_048_576 },
    });
    expect(plan?.sinks[0]).toMatchObject({ id: "out", channel: "buffer", config: { path: { $env: 1 }, batch_size: 1_000, sync: false } });
  });

  it("keeps env() as typed run-time lookups", () => {
    expect(plan?.env).toEqual([
      { name: "QUICKSTART_PORT", target: "property `port` of source `lines`", type: { kind: "integer", min: 0, max: 65_535 }, fallback: 5140 },
      { name: "QUICKSTART_OUT", target: "property `path` of sink `out`", type: { kind: "string" }, fallback: "quickstart-out/events.log" },
    ]);
  });

  it("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it("does not depend on the directory the file was named from", () => {
    const elsewhere = compileSource("/some/where/else/quickstart.flow", readFileSync(QUICKSTART, "utf8"));
    expect(elsewhere.plans).toEqual(result.plans);
  });
});
