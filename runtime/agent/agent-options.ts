import { isIP } from "node:net";
import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "../core/log";
import { parseDuration } from "../spec/units";
import { METRICS_FORMATS, type MetricsFormat } from "../metrics/metrics-routes";
import type { TierPlan } from "./tier-plan";
import { DESCRIBE_FORMATS, environmentLines, type DescribeFormat } from "./describe";
import type { EnvLookup } from "./env-reader";

/** Facts about the agent fixed at build time. */
export interface AgentIdentity {
  readonly tier: string;
  readonly flowcVersion: string;
  /** The `.flow` file the agent was built from, as given to `flowc build`. */
  readonly sourceFile: string;
  readonly env: readonly EnvLookup[];
  /** The tier's whole plan, for `--describe`. */
  readonly plan: TierPlan;
}

/** The HTTP metrics and health server, when `--metrics-port` asks for it. */
export interface MetricsOptions {
  /** 0 lets the operating system pick a free port (the readiness line tells which). */
  readonly port: number;
  readonly address: string;
  readonly format: MetricsFormat;
}

export interface AgentOptions {
  readonly logLevel: LogLevel;
  readonly drainTimeoutMs: number;
  /** Undefined when metrics are off (the default, as in Flume). */
  readonly metrics: MetricsOptions | undefined;
}

export type ParsedArgs =
  | { readonly action: "run"; readonly options: AgentOptions }
  | { readonly action: "help" | "version" }
  | { readonly action: "describe"; readonly format: DescribeFormat }
  | { readonly action: "usage-error"; readonly message: string };

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
export const DEFAULT_METRICS_ADDRESS = "127.0.0.1";

export function parseAgentArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        "log-level": { type: "string" },
        "drain-timeout": { type: "string" },
        "metrics-port": { type: "string" },
        "metrics-address": { type: "string" },
        "metrics-format": { type: "string" },
        describe: { type: "boolean" },
        format: { type: "string" },
        version: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return { action: "usage-error", message: (error as Error).message };
  }
  if (values.help) return { action: "help" };
  if (values.version) return { action: "version" };
  const format = values.format ?? "text";
  if (values.format !== undefined && !values.describe) return { action: "usage-error", message: "--format needs --describe" };
  if (!(DESCRIBE_FORMATS as readonly string[]).includes(format)) {
    return { action: "usage-error", message: `--format must be one of ${DESCRIBE_FORMATS.join(", ")}, not \`${format}\`` };
  }
  // Run-time options are not checked: `--describe` can be appended to any command line.
  if (values.describe) return { action: "describe", format: format as DescribeFormat };
  const level = values["log-level"] ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return { action: "usage-error", message: `--log-level must be one of ${LOG_LEVELS.join(", ")}, not \`${level}\`` };
  }
  const drain = values["drain-timeout"];
  const drainTimeoutMs = drain === undefined ? DEFAULT_DRAIN_TIMEOUT_MS : parseDuration(drain);
  if (drainTimeoutMs === undefined) {
    return { action: "usage-error", message: `--drain-timeout expects a duration such as 30s, not \`${drain}\`` };
  }
  const metrics = parseMetricsOptions(values["metrics-port"], values["metrics-address"], values["metrics-format"]);
  if (typeof metrics === "string") return { action: "usage-error", message: metrics };
  return { action: "run", options: { logLevel: level as LogLevel, drainTimeoutMs, metrics } };
}

/** The metrics options, or a usage error message. */
function parseMetricsOptions(port: string | undefined, address: string | undefined, format: string | undefined): MetricsOptions | undefined | string {
  if (port === undefined) {
    if (address !== undefined) return "--metrics-address needs --metrics-port";
    if (format !== undefined) return "--metrics-format needs --metrics-port";
    return undefined;
  }
  const portNumber = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(portNumber <= 65_535)) return `--metrics-port expects a port number from 0 to 65535 (0 picks a free port), not \`${port}\``;
  const host = parseHost(address ?? DEFAULT_METRICS_ADDRESS);
  if (host === undefined) return `--metrics-address expects an IP address or a host name, not \`${address}\``;
  const chosen = format ?? "prometheus";
  if (!(METRICS_FORMATS as readonly string[]).includes(chosen)) {
    return `--metrics-format must be one of ${METRICS_FORMATS.join(", ")}, not \`${chosen}\``;
  }
  return { port: portNumber, address: host, format: chosen as MetricsFormat };
}

/** An IP address (an IPv6 one possibly in brackets) or a DNS host name; undefined if it is neither. */
function parseHost(text: string): string | undefined {
  const bare = /^\[(.*)\]$/.exec(text)?.[1] ?? text;
  if (isIP(bare) !== 0) return bare;
  return /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(bare) ? bare : undefined;
}

export function agentHelp(identity: AgentIdentity): string {
  const lines = [
    `${identity.tier}: the flowc agent for tier \`${identity.tier}\`, built from ${identity.sourceFile} by flowc ${identity.flowcVersion}`,
    "",
    `Usage: ${identity.tier} [options]`,
    "",
    "Runs in the foreground until SIGTERM or SIGINT, then stops its sources, delivers what its channels",
    "hold (up to --drain-timeout) and exits. A second signal exits at once. When every source is finite and",
    "has finished (stdin at its end, a generator with a count), it delivers everything and exits 0.",
    "",
    "With --metrics-port it serves over HTTP: GET /metrics (Prometheus text, or Flume's JSON with",
    "--metrics-format flume), /metrics.json (Flume's JSON) and /health (200 when ready, 503 while starting",
    "or stopping).",
    "",
    "Options:",
    "  --log-level <level>        debug, info, warn or error (default: info)",
    "  --drain-timeout <time>     how long to keep delivering after a stop signal (default: 30s)",
    "  --metrics-port <port>      serve metrics and health over HTTP on this port (default: off; 0 picks one)",
    `  --metrics-address <addr>   address the metrics server listens on (default: ${DEFAULT_METRICS_ADDRESS})`,
    "  --metrics-format <format>  what GET /metrics returns: prometheus or flume (default: prometheus)",
    "  --describe                 print the tier's components with their properties, the wiring and the",
    "                             environment variables it reads, then exit (reads no environment)",
    "  --format <format>          with --describe: text, or json for the plan itself (default: text)",
    "  --version                  print the flowc and Node.js versions and exit",
    "  -h, --help                 print this help and exit",
  ];
  if (identity.env.length > 0) lines.push("", "Environment (read at start):", ...environmentLines(identity.env));
  lines.push(
    "",
    "Exit codes:",
    "  0        stopped cleanly, every buffered event delivered",
    "  1        runtime failure (cannot listen or write, or events left undelivered at stop)",
    "  2        bad command-line options",
    "  70       internal error (a bug in flowc: please report it)",
    "  78       bad configuration in the environment",
    "  130/143  stopped at once by a second SIGINT/SIGTERM",
    "",
  );
  return lines.join("\n");
}

export function agentVersion(identity: AgentIdentity): string {
  return `${identity.tier} (flowc ${identity.flowcVersion}, node ${process.version})\n`;
}
