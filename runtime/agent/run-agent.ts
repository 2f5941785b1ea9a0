import type { Channel } from "../core/channel";
import type { Source } from "../core/component";
import { UserFacingError } from "../core/errors";
import { createLogger, type Logger } from "../core/log";
import { logProcessWarnings } from "./process-warnings";
import { Health, type HealthState } from "../metrics/health";
import { MetricsServer } from "../metrics/metrics-server";
import { monitoredComponents } from "../metrics/monitored-components";
import type { SinkRunner } from "../sink-runner/sink-runner";
import { agentHelp, agentVersion, parseAgentArgs, type AgentIdentity, type AgentOptions } from "./agent-options";
import { describePlan } from "./describe";
import { EnvReader } from "./env-reader";
import { AgentExit } from "./exit-codes";

/** The components of one tier, constructed by the generated code. */
export interface AgentTopology {
  readonly channels: readonly Channel[];
  readonly sinkRunners: readonly SinkRunner[];
  readonly sources: readonly Source[];
}

/** Generated per tier: constructs the components, reading `env()` values through `env`. */
export type TopologyFactory = (env: EnvReader) => AgentTopology;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * The main of every agent binary: parses options, reads the environment, starts the metrics server (if
 * asked), channels, then sinks, then sources; on SIGTERM/SIGINT stops sources, drains channels into sinks,
 * closes the metrics server last and exits.
 */
export function runAgent(identity: AgentIdentity, factory: TopologyFactory, argv = process.argv.slice(2)): void {
  const parsed = parseAgentArgs(argv);
  switch (parsed.action) {
    case "help":
      process.stdout.write(agentHelp(identity));
      return;
    case "version":
      process.stdout.write(agentVersion(identity));
      return;
    case "describe":
      // From the embedded plan alone: no environment is read and nothing is constructed.
      process.stdout.write(describePlan(identity.plan, parsed.format));
      return;
    case "usage-error":
      process.stderr.write(`error: ${parsed.message}\n\nRun \`${identity.tier} --help\` for the options.\n`);
      process.exitCode = AgentExit.usage;
      return;
    case "run":
      void new Agent(identity, parsed.options).run(factory).then((code) => process.exit(code));
  }
}

class Agent {
  private readonly log: Logger;
  private stopRequested: (() => void) | undefined;
  private readonly stopSignal: Promise<void>;
  private stopping = false;
  /** What `GET /health` reports; kept even without a metrics server, so the transitions are in one place. */
  private readonly health = new Health();

  constructor(
    private readonly identity: AgentIdentity,
    private readonly options: AgentOptions,
  ) {
    this.log = createLogger(options.logLevel, undefined, { tier: identity.tier });
    this.stopSignal = new Promise((resolve) => {
      this.stopRequested = resolve;
    });
  }

  async run(factory: TopologyFactory): Promise<number> {
    this.handleSignals();
    process.on("uncaughtException", (error) => this.crash(error));
    process.on("unhandledRejection", (error) => this.crash(error));
    logProcessWarnings(this.log);

    const env = new EnvReader();
    let topology: AgentTopology;
    try {
      topology = factory(env);
    } catch (error) {
      // Environment problems come first: a constructor may have refused the placeholder of a missing value.
      if (env.problems.length === 0 && !(error instanceof UserFacingError)) throw error;
      for (const problem of env.problems) this.log.error(problem);
      if (env.problems.length > 0) return AgentExit.config;
      this.log.error((error as UserFacingError).message);
      return (error as UserFacingError).exitCode;
    }
    if (env.problems.length > 0) {
      for (const problem of env.problems) this.log.error(problem);
      return AgentExit.config;
    }

    let metricsServer: MetricsServer | undefined;
    let metricsUrl: string | undefined;
    const metrics = this.options.metrics;
    if (metrics !== undefined) {
      metricsServer = new MetricsServer({
        ...metrics,
        tier: this.identity.tier,
        components: monitoredComponents(topology),
        health: this.health,
      });
      try {
        metricsUrl = await metricsServer.start(this.log);
      } catch (error) {
        if (!(error instanceof UserFacingError)) throw error;
        this.log.error(error.message);
        return error.exitCode;
      }
    }

    const addresses: string[] = [];
    try {
      for (const channel of topology.channels) await channel.start(this.log);
      for (const runner of topology.sinkRunners) await runner.start(this.log);
      for (const source of topology.sources) addresses.push(await source.start(this.log));
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      this.log.error(error.message);
      await this.stop(topology);
      await metricsServer?.close();
      return error.exitCode;
    }
    this.log.info("ready", {
      flowc: this.identity.flowcVersion,
      node: process.version,
      pid: process.pid,
      listen: addresses.join(",") || undefined,
      metrics: metricsUrl,
    });
    this.moveHealthTo("ready");

    const finished = allFinished(topology.sources);
    if ((await Promise.race([this.stopSignal.then(() => false), finished.then(() => true)])) === true) {
      this.log.info("every source finished: delivering what the channels hold, then stopping");
      this.moveHealthTo("draining");
      await this.untilChannelsEmpty(topology.channels);
    }
    const lost = await this.stop(topology);
    // Last, so the final counters can be scraped while the agent drains.
    await metricsServer?.close();
    return lost > 0 ? AgentExit.runtimeFailure : AgentExit.ok;
  }

  /** Resolves once the sinks emptied every channel, or at a stop signal. */
  private async untilChannelsEmpty(channels: readonly Channel[]): Promise<void> {
    for (;;) {
      const busy = channels.filter((channel) => channel.size() > 0);
      if (busy.length === 0 || this.stopping) return;
      await Promise.race([this.stopSignal, ...busy.map((channel) => channel.whenWritable())]);
    }
  }

  private moveHealthTo(state: HealthState): void {
    if (this.health.moveTo(state)) this.log.debug("health", { status: state });
  }

  /** Stops in reverse order of start; resolves with the number of events left undelivered. */
  private async stop(topology: AgentTopology): Promise<number> {
    const deadline = Date.now() + this.options.drainTimeoutMs;
    this.moveHealthTo("draining");
    this.log.info("stopping", { drain_timeout_ms: this.options.drainTimeoutMs });
    await withDeadline(Promise.all(topology.sources.map((source) => source.stop())), deadline);
    await withDeadline(Promise.all(topology.channels.map((channel) => channel.beforeDrain?.())), deadline);
    const left = await Promise.all(topology.sinkRunners.map((runner) => runner.drainAndStop(deadline)));
    for (const channel of topology.channels) await channel.stop();
    for (const source of topology.sources) this.log.info("source stopped", { source: source.name, ...counters(source.counter) });
    for (const channel of topology.channels) this.log.info("channel stopped", { channel: channel.name, ...counters(channel.counter) });
    for (const runner of topology.sinkRunners) this.log.info("sink stopped", { sink: runner.sink.name, ...counters(runner.sink.counter) });
    const lost = left.reduce((sum, n) => sum + n, 0);
    if (lost > 0) this.log.error("events left undelivered when the drain timeout expired", { events: lost });
    else this.log.info("stopped");
    this.moveHealthTo("stopped");
    return lost;
  }

  private handleSignals(): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.stopping) {
        this.log.warn("second signal: exiting now", { signal });
        process.exit(SIGNAL_EXIT[signal] ?? AgentExit.runtimeFailure);
      }
      this.stopping = true;
      this.log.info("signal received", { signal });
      this.moveHealthTo("draining");
      this.stopRequested?.();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }

  private crash(error: unknown): never {
    this.log.error("internal error: this is a bug in flowc, please report it", {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(AgentExit.internal);
  }
}

function counters(counter: object): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const [key, value] of Object.entries(counter)) {
    if (typeof value === "number" && !key.endsWith("Time")) fields[key] = value;
  }
  return fields;
}

/** Resolves once every source has finished; never when one of them runs until stopped (or there are none). */
function allFinished(sources: readonly Source[]): Promise<void> {
  const finished = sources.map((source) => source.finished);
  if (finished.length === 0 || finished.some((promise) => promise === undefined)) return new Promise(() => undefined);
  return Promise.all(finished).then(() => undefined);
}

function withDeadline(work: Promise<unknown>, deadline: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
