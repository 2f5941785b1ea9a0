import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "../core/log";
import { parseDuration } from "../spec/units";
import { describePropertyType } from "../spec/property-type";
import type { EnvLookup } from "./env-reader";

/** Facts about the agent fixed at build time. */
export interface AgentIdentity {
  readonly tier: string;
  readonly flowcVersion: string;
  /** The `.flow` file the agent was built from, as given to `flowc build`. */
  readonly sourceFile: string;
  readonly env: readonly EnvLookup[];
}

export interface AgentOptions {
  readonly logLevel: LogLevel;
  readonly drainTimeoutMs: number;
}

export type ParsedArgs =
  | { readonly action: "run"; readonly options: AgentOptions }
  | { readonly action: "help" | "version" }
  | { readonly action: "usage-error"; readonly message: string };

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

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
        version: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return { action: "usage-error", message: (error as Error).message };
  }
  if (values.help) return { action: "help" };
  if (values.version) return { action: "version" };
  const level = values["log-level"] ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return { action: "usage-error", message: `--log-level must be one of ${LOG_LEVELS.join(", ")}, not \`${level}\`` };
  }
  const drain = values["drain-timeout"];
  const drainTimeoutMs = drain === undefined ? DEFAULT_DRAIN_TIMEOUT_MS : parseDuration(drain);
  if (drainTimeoutMs === undefined) {
    return { action: "usage-error", message: `--drain-timeout expects a duration such as 30s, not \`${drain}\`` };
  }
  return { action: "run", options: { logLevel: level as LogLevel, drainTimeoutMs } };
}

export function agentHelp(identity: AgentIdentity): string {
  const lines = [
    `${identity.tier}: the flowc agent for tier \`${identity.tier}\`, built from ${identity.sourceFile} by flowc ${identity.flowcVersion}`,
    "",
    `Usage: ${identity.tier} [options]`,
    "",
    "Runs in the foreground until SIGTERM or SIGINT, then stops its sources, delivers what its channels",
    "hold (up to --drain-timeout) and exits. A second signal exits at once.",
    "",
    "Options:",
    "  --log-level <level>     debug, info, warn or error (default: info)",
    "  --drain-timeout <time>  how long to keep delivering after a stop signal (default: 30s)",
    "  --version               print the flowc and Node.js versions and exit",
    "  -h, --help              print this help and exit",
  ];
  if (identity.env.length > 0) {
    lines.push("", "Environment (read at start):");
    const width = Math.max(...identity.env.map((lookup) => lookup.name.length));
    for (const lookup of identity.env) {
      const fallback = lookup.fallback === undefined ? "required" : `default ${JSON.stringify(lookup.fallback)}`;
      lines.push(`  ${lookup.name.padEnd(width)}  ${lookup.target}: ${describePropertyType(lookup.type)}, ${fallback}`);
    }
  }
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
