import { mkdir, open, readdir } from "node:fs/promises";
import { AgentExit } from "../../agent/exit-codes";
import type { Sink } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { describeFileError } from "../file-output/file-errors";
import { FileSet } from "../file-output/file-set";
import { lengthThroughLastNewline } from "../file-output/tail-repair";
import { nameProblem } from "../files/validate";
import { fileRollSinkSpec } from "./spec";

export type FileRollSinkConfig = ConfigOf<typeof fileRollSinkSpec>;

/** The config, with the spec's defaults for what is left out. */
export type FileRollSinkOptions = Pick<FileRollSinkConfig, "directory"> & Partial<FileRollSinkConfig>;

function withDefaults(options: FileRollSinkOptions): FileRollSinkConfig {
  const config: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(fileRollSinkSpec.properties)) if ("default" in property) config[key] = property.default;
  for (const [key, value] of Object.entries(options)) if (value !== undefined) config[key] = value;
  return config as FileRollSinkConfig;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Flume's file_roll sink: one directory, a new file every `roll_interval`, named as Flume's default path
 * manager names them, `<prefix><series>-<n><suffix>` where the series is the time the sink started (in
 * milliseconds) and n counts from 1. Files are written under their final name, as in Flume; each run
 * starts a new series, so a restart never appends to an earlier run's file.
 */
export class FileRollSink implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize: number;
  /** The files being written; white-box tests reach its `io` to make writes fail. */
  readonly files: FileSet;
  private readonly config: FileRollSinkConfig;
  private readonly bucket: string;
  private series = 0;
  private index = 0;
  private started = false;

  constructor(
    readonly name: string,
    options: FileRollSinkOptions,
  ) {
    const config = withDefaults(options);
    this.config = config;
    this.batchSize = config.batch_size;
    // The spec's checks again, for values from env().
    for (const key of ["prefix", "suffix"] as const) {
      const problem = nameProblem(config[key]);
      if (problem !== undefined) throw new UserFacingError(`sink \`${name}\`: property \`${key}\` (${JSON.stringify(config[key])}): ${problem}`, AgentExit.config);
    }
    this.bucket = config.directory.endsWith("/") ? config.directory : `${config.directory}/`;
    this.files = new FileSet(
      {
        sink: name,
        format: config.format,
        compression: "none",
        sync: config.sync,
        rollSize: 0,
        rollCount: 0,
        rollInterval: config.roll_interval,
        idleTimeout: 0,
        maxOpenFiles: 1,
        naming: {
          appends: false,
          next: (bucket) => {
            this.index++;
            const path = `${bucket}${config.prefix}${this.series}-${this.index}${config.suffix}`;
            return { writing: path, final: path };
          },
        },
      },
      this.counter,
    );
  }

  async start(log: Logger): Promise<void> {
    if (this.started) return;
    const { directory } = this.config;
    try {
      await mkdir(directory, { recursive: true });
      await this.repairLastFile(log);
    } catch (error) {
      throw new UserFacingError(`sink \`${this.name}\` cannot use directory ${directory}: ${describeFileError(error)}`, AgentExit.runtimeFailure);
    }
    this.series = Date.now();
    this.index = 0;
    this.files.start(log);
    this.started = true;
    this.counter.StartTime = Date.now();
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    if (!this.started) throw new Error(`sink \`${this.name}\` is not started`);
    if (events.length === 0) return;
    return this.files.write([this.bucket], [events]);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.files.stop();
    this.counter.StopTime = Date.now();
  }

  /**
   * The newest file of an earlier run may end in a line torn by a crash (a batch that was not acknowledged
   * and is delivered again): it is cut back to its last complete line.
   */
  private async repairLastFile(log: Logger): Promise<void> {
    const { directory, prefix, suffix } = this.config;
    const pattern = new RegExp(`^${escapeRegex(prefix)}(\\d+)-(\\d+)${escapeRegex(suffix)}$`);
    let newest: { name: string; series: number; index: number } | undefined;
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const match = entry.isFile() ? pattern.exec(entry.name) : null;
      if (match === null) continue;
      const series = Number(match[1]);
      const index = Number(match[2]);
      if (newest === undefined || series > newest.series || (series === newest.series && index > newest.index)) newest = { name: entry.name, series, index };
    }
    if (newest === undefined) return;
    const path = `${this.bucket}${newest.name}`;
    const handle = await open(path, "r+");
    try {
      const size = (await handle.stat()).size;
      const complete = await lengthThroughLastNewline(handle, size);
      if (complete < size) {
        await handle.truncate(complete);
        log.warn("cut a batch torn by a crash from the end of the last file of an earlier run (the channel delivers it again)", { file: path, bytes: size - complete });
      }
    } finally {
      await handle.close();
    }
  }
}
