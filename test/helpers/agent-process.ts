import { spawn, type ChildProcess } from "node:child_process";
import { waitFor } from "./wait-for";

/** A running agent binary with its stderr (the structured log) collected. */
export interface AgentProcess {
  readonly child: ChildProcess;
  /** Everything the agent logged so far. */
  log(): string;
  /** Resolves with the exit code (or 128 + signal number) once the process ended. */
  readonly exited: Promise<number>;
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function startAgent(binary: string, options: { env: NodeJS.ProcessEnv; cwd: string; args?: readonly string[] }): AgentProcess {
  const child = spawn(binary, [...(options.args ?? [])], { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const exited = new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ""] ?? 0)));
  });
  return { child, log: () => stderr, exited };
}

/** Waits for the agent's readiness line and returns the address it reports. */
export async function waitUntilReady(agent: AgentProcess, timeoutMs = 10_000): Promise<string> {
  let exited = false;
  void agent.exited.then(() => (exited = true));
  return waitFor(
    "the agent's readiness line",
    () => {
      if (exited) throw new Error(`the agent exited before it was ready:\n${agent.log()}`);
      return /msg=ready .*listen=(\S+)/.exec(agent.log())?.[1];
    },
    timeoutMs,
  );
}

/** Stops an agent that is still running (for cleanup after a failed assertion). */
export function killAgent(agent: AgentProcess | undefined): void {
  if (agent !== undefined && agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
}
