import { access, constants, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { AgentExit } from "../../agent/exit-codes";
import type { Sink } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { describeFileError } from "../file-output/file-errors";
import { FileSet, type FileNaming } from "../file-output/file-set";
import { resolveHostValues } from "./host-values";
import { CompiledTemplate, fixedDirectoryOf, isFixed, parseTemplate, type ResolveContext, type TemplatePart } from "./path-template";
import { recoverInProgressFiles } from "./recovery";
import { filesSinkSpec } from "./spec";
import { nameProblem, pathProblem, roundDownProblem, timeZoneProblem } from "./validate";
import { roundingOf, ZonedClock, type Rounding } from "./zoned-clock";

export type FilesSinkConfig = ConfigOf<typeof filesSinkSpec>;

/** The config, with the spec's defaults for what is left out (tests and benchmarks give only what matters to them). */
export type FilesSinkOptions = Pick<FilesSinkConfig, "path"> & Partial<FilesSinkConfig>;

/** Flume's SinkCounter, plus the events whose time came from the agent's clock for want of a timestamp. */
export class FilesSinkCounter extends SinkCounter {
  TimestampFallbackCount = 0;
}

function withDefaults(options: FilesSinkOptions): FilesSinkConfig {
  const config: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(filesSinkSpec.properties)) if ("default" in property) config[key] = property.default;
  for (const [key, value] of Object.entries(options)) if (value !== undefined) config[key] = value;
  return config as FilesSinkConfig;
}

/**
 * Flume's HDFS sink on a local or mounted file system. Each event's file is its expansion of the `path`
 * template (a bucket); with no roll setting the sink appends to it, otherwise it writes a series of files
 * `<path>.<counter><suffix>[.gz]` under an in-progress name and renames each when finished. A path without
 * escapes costs nothing per event: the batch goes to its one file with one write.
 */
export class FilesSink implements Sink {
  readonly counter = new FilesSinkCounter();
  readonly batchSize: number;
  /** The files being written; white-box tests reach its `io` to make writes fail. */
  readonly files: FileSet;
  private readonly config: FilesSinkConfig;
  private readonly parts: readonly TemplatePart[];
  private readonly fixedPath: string | undefined;
  private readonly rolling: boolean;
  private readonly rounding: Rounding | undefined;
  private readonly clock: ZonedClock;
  private template: CompiledTemplate | undefined;
  private readonly context: ResolveContext = { now: 0, timestampFallbacks: 0 };
  private started = false;
  private log: Logger | undefined;
  private warnedFallback = false;

  constructor(
    readonly name: string,
    options: FilesSinkOptions,
  ) {
    const config = withDefaults(options);
    this.config = config;
    this.batchSize = config.batch_size;
    // The spec's checks again, for values from env() (flowc check ran them on the ones written in the file).
    const checks = [
      ["path", pathProblem],
      ["round_down", roundDownProblem],
      ["time_zone", timeZoneProblem],
      ["suffix", nameProblem],
      ["in_use_prefix", nameProblem],
      ["in_use_suffix", nameProblem],
    ] as const;
    for (const [key, problemOf] of checks) {
      const value = config[key];
      const problem = problemOf(value);
      if (problem !== undefined) {
        const shown = typeof value === "string" ? ` (${JSON.stringify(value)})` : "";
        throw new UserFacingError(`sink \`${name}\`: property \`${key}\`${shown}: ${problem}`, AgentExit.config);
      }
    }
    this.parts = parseTemplate(config.path);
    this.rounding = roundingOf(config.round_down);
    this.clock = new ZonedClock(config.time_zone);
    this.fixedPath = isFixed(this.parts) ? config.path : undefined;
    this.rolling = config.roll_size > 0 || config.roll_count > 0 || config.roll_interval > 0;
    this.files = new FileSet(
      {
        sink: name,
        format: config.format,
        compression: config.compression,
        sync: config.sync,
        rollSize: config.roll_size,
        rollCount: config.roll_count,
        rollInterval: config.roll_interval,
        idleTimeout: config.idle_timeout,
        maxOpenFiles: config.max_open_files,
        naming: this.rolling ? rolledNaming(config) : { appends: true, next: (bucket) => ({ writing: bucket, final: bucket }) },
      },
      this.counter,
    );
  }

  async start(log: Logger): Promise<void> {
    this.log = log;
    if (this.started) return;
    const { path } = this.config;
    const hosts = await resolveHostValues(this.parts);
    this.template = this.fixedPath === undefined ? new CompiledTemplate(this.parts, { timestampHeader: this.config.timestamp_header, useLocalTime: this.config.use_local_time, rounding: this.rounding, clock: this.clock, hosts }) : undefined;
    this.files.start(log);
    if (this.fixedPath !== undefined && !this.rolling) {
      // One file, appended to: open it now, so that a path that cannot be written stops the agent at start.
      try {
        await this.files.openNow(this.fixedPath);
      } catch (error) {
        throw new UserFacingError(`sink \`${this.name}\` cannot open ${path}: ${describeFileError((error as Error).cause ?? error)}`, AgentExit.runtimeFailure);
      }
    } else {
      const directory = this.fixedPath === undefined ? fixedDirectoryOf(this.parts) : dirname(path);
      try {
        await mkdir(directory, { recursive: true });
        await access(directory, constants.W_OK);
      } catch (error) {
        throw new UserFacingError(`sink \`${this.name}\` cannot write in ${directory}: ${describeFileError(error)}`, AgentExit.runtimeFailure);
      }
      if (this.rolling) await recoverInProgressFiles(this.parts, this.config, log);
    }
    this.started = true;
    this.counter.StartTime = Date.now();
  }

  write(events: readonly FlowEvent[]): Promise<void> {
    if (!this.started) return Promise.reject(new Error(`sink \`${this.name}\` is not started`));
    if (events.length === 0) return Promise.resolve();
    const fixedPath = this.fixedPath;
    return fixedPath !== undefined ? this.files.write([fixedPath], [events]) : this.writeTemplated(events);
  }

  private async writeTemplated(events: readonly FlowEvent[]): Promise<void> {
    const template = this.template as CompiledTemplate;
    const context = this.context;
    context.now = Date.now();
    context.timestampFallbacks = 0;
    // Group by file, keeping each file's events in order. Most batches have one or a few files.
    const buckets: string[] = [];
    const lists: FlowEvent[][] = [];
    let lastBucket = "";
    let lastList: FlowEvent[] | undefined;
    let index: Map<string, FlowEvent[]> | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlowEvent;
      const bucket = template.resolve(event, context);
      if (bucket === lastBucket && lastList !== undefined) {
        lastList.push(event);
        continue;
      }
      index ??= new Map();
      let list = index.get(bucket);
      if (list === undefined) {
        list = [];
        index.set(bucket, list);
        buckets.push(bucket);
        lists.push(list);
      }
      list.push(event);
      lastBucket = bucket;
      lastList = list;
    }
    const fallbacks = context.timestampFallbacks;
    await this.files.write(buckets, lists);
    // Counted once the batch is written, so a retried batch is not counted twice.
    if (fallbacks > 0) this.countFallbacks(fallbacks);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.files.stop();
    this.counter.StopTime = Date.now();
  }

  private countFallbacks(count: number): void {
    this.counter.TimestampFallbackCount += count;
    if (this.warnedFallback) return;
    this.warnedFallback = true;
    this.log?.warn("events without a numeric timestamp header are placed by the agent's clock (counted in TimestampFallbackCount)", {
      header: this.config.timestamp_header,
    });
  }
}

/**
 * Flume's names for rolled files: `<path>.<counter><suffix>`, `.gz` added for gzip, the counter being the
 * time the file was opened in milliseconds (one more than the last one when that is not later), written
 * as `<dir>/<in_use_prefix><name><in_use_suffix>` until finished.
 */
function rolledNaming(config: FilesSinkConfig): FileNaming {
  const extension = config.compression === "gzip" && !config.suffix.endsWith(".gz") ? ".gz" : "";
  let last = 0;
  return {
    appends: false,
    next(bucket, now) {
      last = Math.max(now, last + 1);
      const final = `${bucket}.${last}${config.suffix}${extension}`;
      const slash = final.lastIndexOf("/") + 1;
      const writing = `${final.slice(0, slash)}${config.in_use_prefix}${final.slice(slash)}${config.in_use_suffix}`;
      return { writing, final };
    },
  };
}
