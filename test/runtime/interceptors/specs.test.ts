import { describe, expect, it } from "vitest";
import * as runtime from "../../../runtime/index";
import { COMPONENT_SPECS, kindsOf } from "../../../runtime/registry";

const ours = COMPONENT_SPECS.filter((spec) => spec.role === "interceptor" || spec.role === "group");

describe("interceptor and sink group specs", () => {
  it("registers every interceptor and group kind", () => {
    expect(kindsOf("interceptor")).toEqual(["timestamp", "host", "static", "remove_header", "uuid", "regex_filter", "regex_extractor", "search_replace"]);
    expect(kindsOf("group")).toEqual(["failover", "load_balance"]);
  });

  it("names an implementation the runtime exports, with snake_case properties", () => {
    for (const spec of ours) {
      expect(typeof (runtime as Record<string, unknown>)[spec.implementation], `${spec.kind}: ${spec.implementation}`).toBe("function");
      for (const name of Object.keys(spec.properties)) expect(name, `${spec.kind}.${name}`).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });

  it("gives groups their members through the language, not a `sinks` property", () => {
    for (const spec of ours.filter((s) => s.role === "group")) {
      expect(spec.properties).not.toHaveProperty("sinks");
      expect(spec.members?.role).toBe("sink");
    }
  });
});
