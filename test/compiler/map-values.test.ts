import { describe, expect, it } from "vitest";
import { generateEntry } from "../../compiler/codegen";
import { describePlan } from "../../runtime/agent/describe";
import { codes, compile } from "../helpers/compile";

/** A tier whose generator source sets headers from a block and whose http sink sends headers. */
function tier(generatorHeaders: string, sinkHeaders = `{ "X-Team" = "ops" }`): string {
  return `
tier edge {
  source gen = generator { count = 1, headers = ${generatorHeaders} }
  channel c = memory {}
  sink out = http { url = "http://127.0.0.1:9/ingest", headers = ${sinkHeaders} }
  route gen {
    when header.service == "checkout" -> c
    else -> c
  }
  c -> out
}`;
}

describe("block (map) property values", () => {
  it("accepts quoted names and env() per entry, and lowers them to a $map in the plan", () => {
    const result = compile(tier(`{ service = "checkout", "X-Env" = env("ENVIRONMENT", "test") }`));
    expect(result.diagnostics).toEqual([]);
    const plan = result.plans?.[0];
    const source = plan?.sources[0];
    expect(source?.config["headers"]).toEqual({ $map: { service: "checkout", "X-Env": { $env: 0 } } });
    expect(plan?.env[0]).toMatchObject({ name: "ENVIRONMENT", target: "entry `X-Env` of property `headers` of source `gen`", type: { kind: "string" }, fallback: "test" });
  });

  it("generates an object literal that reads each env() entry when the agent starts", () => {
    const plan = compile(tier(`{ service = "checkout", "X-Env" = env("ENVIRONMENT", "test") }`)).plans?.[0];
    if (plan === undefined) throw new Error("expected a plan");
    expect(generateEntry(plan)).toContain(`headers: { "service": "checkout", "X-Env": env.read(identity.env[0]!) }`);
  });

  it("reports a name set twice, and an entry of the wrong type", () => {
    expect(codes(compile(tier(`{ service = "a", service = "b" }`)))).toEqual(["FLOW3005"]);
    expect(codes(compile(tier(`{ service = 5 }`)))).toEqual(["FLOW3003"]);
    expect(codes(compile(tier(`["service"]`)))).toEqual(["FLOW3003"]);
  });

  it("knows the headers a map sets, so a route on one of them type-checks and others are flagged", () => {
    expect(codes(compile(tier(`{ service = "checkout" }`)))).toEqual([]);
    expect(codes(compile(tier(`{ team = "ops" }`)))).toEqual(["FLOW4015"]);
  });

  it("prints maps in --describe, with credentials written in the file masked", () => {
    const result = compile(tier(`{ service = "checkout" }`, `{ Authorization = "Bearer abc", "X-Team" = "ops" }`));
    expect(codes(result)).toEqual(["FLOW3009"]);
    const plan = result.plans?.[0];
    if (plan === undefined) throw new Error("expected a plan");
    const text = describePlan(plan, "text");
    expect(text).toContain(`headers = { service = "checkout" }`);
    expect(text).toContain(`headers = { Authorization = "<secret>", "X-Team" = "ops" }`);
    expect(describePlan(plan, "json")).not.toContain("Bearer abc");
  });
});
