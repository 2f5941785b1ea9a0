import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TierPlan } from "../../compiler/ir";
import { FLOWC_VERSION } from "../../compiler/package-root";
import { compileSource } from "../../compiler/pipeline";
import { agentHelp, parseAgentArgs } from "../../runtime/agent/agent-options";
import { conditionText } from "../../runtime/agent/condition-text";
import { describePlan } from "../../runtime/agent/describe";

const EXAMPLES = join(__dirname, "..", "..", "examples");

function planOf(path: string, text = readFileSync(path, "utf8")): TierPlan {
  const plan = compileSource(path, text).plans?.[0];
  if (plan === undefined) throw new Error(`no plan for ${path}`);
  return plan;
}


describe("agent --describe", () => {
  it("lists components with resolved properties, env() as env(NAME, default), the wiring and the environment", () => {
    const text = describePlan((planOf(join(EXAMPLES, "quickstart.flow"))), "text");
    expect(text).toBe(
      [
        `tier quickstart (quickstart.flow, flowc ${FLOWC_VERSION})`,
        "",
        "sources",
        "  lines: tcp (quickstart.flow:11)",
        '    bind = "127.0.0.1"',
        "    port = env(QUICKSTART_PORT, 5140)",
        "    batch_size = 1000",
        "    max_line_length = 1MiB",
        '    long_lines = "truncate"',
        '    delimiter = "\\n"',
        "",
        "channels",
        "  buffer: memory (quickstart.flow:13)",
        "    capacity = 10000",
        "    transaction_capacity = 1000",
        "    byte_capacity = 256MiB",
        "",
        "sinks",
        "  out: files (quickstart.flow:15)",
        '    path = env(QUICKSTART_OUT, "quickstart-out/events.log")',
        "    batch_size = 1000",
        '    format = "text"',
        '    compression = "none"',
        "    sync = false",
        "    roll_size = 0B",
        "    roll_count = 0",
        "    roll_interval = 0ms",
        "    idle_timeout = 0ms",
        '    in_use_suffix = ".tmp"',
        '    in_use_prefix = ""',
        '    suffix = ""',
        "    max_open_files = 5000",
        "    use_local_time = false",
        '    timestamp_header = "timestamp"',
        "    round_down = 0ms",
        '    time_zone = ""',
        "",
        "wiring",
        "  lines -> buffer",
        "  buffer -> out",
        "",
        "environment (read at start)",
        "  QUICKSTART_PORT  property `port` of source `lines`: an integer, default 5140",
        '  QUICKSTART_OUT   property `path` of sink `out`: a string, default "quickstart-out/events.log"',
        "",
      ].join("\n"),
    );
  });

  it("shows interceptors, drop() and routes in the .flow syntax", () => {
    const text = describePlan((planOf(join(EXAMPLES, "multiplexing.flow"))), "text");
    expect(text).toContain("    | inbound_regex_extractor1: regex_extractor (multiplexing.flow:9)\n    |   regex = /level=(?<level>[A-Z]+)/\n");
    expect(text).toContain('    | drop(header.level == "DEBUG") (multiplexing.flow:10)\n');
    expect(text).toContain(
      [
        "  route inbound (the first arm that matches)",
        '    when header.level in ["ERROR", "FATAL"] -> alerts, archive',
        "    when body ~ /service=payments?\\b/i -> payments, archive",
        "    else -> archive",
        "  alerts -> alerts_file",
      ].join("\n"),
    );
  });

  it("shows sink groups, optional targets and required variables", () => {
    const failover = describePlan((planOf(join(EXAMPLES, "failover.flow"))), "text");
    expect(failover).toContain("sink groups\n  out: failover (failover.flow:19)\n    sinks = [primary, spare]\n    max_penalty = 30s\n");
    expect(failover).toContain("  buffer -> out (failover: primary, spare)\n");
    const fanout = describePlan((planOf(join(EXAMPLES, "fanout.flow"))), "text");
    expect(fanout).toContain("  inbound -> store, optional debug\n");
    const required = describePlan(
      planOf("r.flow", 'tier r {\n  source s = tcp { port = env("PORT") }\n  channel c = memory {}\n  sink k = files { path = "k.log" }\n  s -> c -> k\n}'),
      "text",
    );
    expect(required).toContain("    port = env(PORT)\n");
    expect(required).toContain("  PORT  property `port` of source `s`: an integer, required\n");
  });

  it("prints the plan itself as JSON", () => {
    const plan = planOf(join(EXAMPLES, "multiplexing.flow"));
    expect(JSON.parse(describePlan(plan, "json"))).toEqual(plan);
  });

  it("writes negated comparisons back as written, with parentheses only where needed", () => {
    const header = { header: "level" };
    expect(conditionText({ not: { subject: header, test: "equals", value: "x" } })).toBe('header.level != "x"');
    expect(conditionText({ not: { subject: { body: true }, test: "matches", pattern: "a\\/b", flags: "i" } })).toBe("body !~ /a\\/b/i");
    expect(conditionText({ not: { subject: header, test: "exists" } })).toBe("not header.level exists");
    expect(
      conditionText({ all: [{ any: [{ subject: header, test: "exists" }, { subject: { header: "x-id" }, test: "oneOf", values: ["a"] }] }, { not: { subject: header, test: "oneOf", values: ["b"] } }] }),
    ).toBe('(header.level exists or header["x-id"] in ["a"]) and header.level not in ["b"]');
  });
});

describe("agent options for --describe", () => {
  it("parse --describe and --format", () => {
    expect(parseAgentArgs(["--describe"])).toEqual({ action: "describe", format: "text" });
    expect(parseAgentArgs(["--describe", "--format", "json"])).toEqual({ action: "describe", format: "json" });
    expect(parseAgentArgs(["--log-level", "debug", "--describe"])).toEqual({ action: "describe", format: "text" });
  });

  it("refuse --format without --describe, and an unknown format", () => {
    expect(parseAgentArgs(["--format", "json"])).toEqual({ action: "usage-error", message: "--format needs --describe" });
    expect(parseAgentArgs(["--describe", "--format", "yaml"])).toEqual({ action: "usage-error", message: "--format must be one of text, json, not `yaml`" });
  });

  it("are in the help", () => {
    const plan = planOf(join(EXAMPLES, "quickstart.flow"));
    const help = agentHelp({ tier: plan.tier, flowcVersion: plan.flowcVersion, sourceFile: plan.sourceFile, env: plan.env, plan });
    expect(help).toContain("  --describe                 print the tier's components with their properties");
    expect(help).toContain("  --format <format>          with --describe: text, or json for the plan itself (default: text)");
  });
});
