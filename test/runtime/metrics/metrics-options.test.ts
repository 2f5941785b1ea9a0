import { describe, expect, it } from "vitest";
import { agentHelp, parseAgentArgs, type AgentIdentity } from "../../../runtime/agent/agent-options";

const identity: AgentIdentity = {
  tier: "edge",
  flowcVersion: "0.1.0",
  sourceFile: "edge.flow",
  env: [],
  plan: { tier: "edge", flowcVersion: "0.1.0", sourceFile: "edge.flow", env: [], channels: [], sinks: [], groups: [], sources: [], tests: [] },
};

function metricsOf(argv: string[]) {
  const parsed = parseAgentArgs(argv);
  if (parsed.action !== "run") throw new Error(`expected run, got ${JSON.stringify(parsed)}`);
  return parsed.options.metrics;
}

function usageError(argv: string[]): string {
  const parsed = parseAgentArgs(argv);
  if (parsed.action !== "usage-error") throw new Error(`expected a usage error, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe("agent metrics options", () => {
  it("are off by default", () => {
    expect(metricsOf([])).toBeUndefined();
    expect(metricsOf(["--log-level", "debug"])).toBeUndefined();
  });

  it("default to 127.0.0.1 and Prometheus with only a port", () => {
    expect(metricsOf(["--metrics-port", "9100"])).toEqual({ port: 9100, address: "127.0.0.1", format: "prometheus" });
  });

  it("take 0 (a free port), an address, a host name and the flume format", () => {
    expect(metricsOf(["--metrics-port=0", "--metrics-address", "0.0.0.0", "--metrics-format", "flume"])).toEqual({ port: 0, address: "0.0.0.0", format: "flume" });
    expect(metricsOf(["--metrics-port", "65535", "--metrics-address", "::"])?.address).toBe("::");
    expect(metricsOf(["--metrics-port", "1", "--metrics-address", "[::1]"])?.address).toBe("::1");
    expect(metricsOf(["--metrics-port", "1", "--metrics-address", "localhost"])?.address).toBe("localhost");
    expect(metricsOf(["--metrics-port", "1", "--metrics-address", "metrics.example-host.internal"])?.address).toBe("metrics.example-host.internal");
    expect(metricsOf(["--metrics-port", "1", "--metrics-format", "prometheus"])?.format).toBe("prometheus");
  });

  it.each(["", "http", "-1", "65536", "99999", "9100.5", "0x50", " 80", "123456"])("reject --metrics-port %j", (port) => {
    expect(usageError([`--metrics-port=${port}`])).toBe(`--metrics-port expects a port number from 0 to 65535 (0 picks a free port), not \`${port}\``);
  });

  it.each(["", "exa mple", "http://127.0.0.1", "127.0.0.1:9100", "-host", "a..b", "[::1"])("reject --metrics-address %j", (address) => {
    expect(usageError(["--metrics-port", "9100", `--metrics-address=${address}`])).toBe(`--metrics-address expects an IP address or a host name, not \`${address}\``);
  });

  it("rejects an unknown --metrics-format", () => {
    expect(usageError(["--metrics-port", "9100", "--metrics-format", "json"])).toBe("--metrics-format must be one of prometheus, flume, not `json`");
  });

  it("rejects --metrics-address or --metrics-format without --metrics-port", () => {
    expect(usageError(["--metrics-address", "0.0.0.0"])).toBe("--metrics-address needs --metrics-port");
    expect(usageError(["--metrics-format", "flume"])).toBe("--metrics-format needs --metrics-port");
  });

  it("rejects a flag without its value", () => {
    expect(usageError(["--metrics-port"])).toMatch(/metrics-port/);
  });

  it("are shown in --help", () => {
    const help = agentHelp(identity);
    expect(help).toContain("--metrics-port <port>");
    expect(help).toContain("--metrics-address <addr>   address the metrics server listens on (default: 127.0.0.1)");
    expect(help).toContain("--metrics-format <format>  what GET /metrics returns: prometheus or flume (default: prometheus)");
    expect(help).toContain("/health (200 when ready");
    for (const line of help.split("\n")) expect(line.length, line).toBeLessThanOrEqual(110);
  });
});
