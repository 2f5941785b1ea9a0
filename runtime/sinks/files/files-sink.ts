import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { Sink } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import type { filesSinkSpec } from "./spec";

export type FilesSinkConfig = ConfigOf<typeof filesSinkSpec>;

const NEWLINE = 0x0a;

/**
 * Writes a batch as one `write` of body-newline pairs. `write` resolves only after the bytes reached the
 * file (and the disk, with `sync`), so the sink runner commits the take only for written events; a batch
 * that fails part-way (e.g. a full disk) is cut back out of the file before the runner retries it.
 */
export class FilesSink implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize: number;
  private file: FileHandle | undefined;
  /** Length of the file after the last complete batch: a failed batch is cut back to it before the retry. */
  private committedLength = 0;
  /** Reused between batches: batches are written one at a time. */
  private scratch = Buffer.allocUnsafe(256 * 1024);

  constructor(
    readonly name: string,
    private readonly config: FilesSinkConfig,
  ) {
    this.batchSize = config.batch_size;
  }

  async start(_log: Logger): Promise<void> {
    const { path } = this.config;
    try {
      await mkdir(dirname(path), { recursive: true });
      this.file = await open(path, "a");
      this.committedLength = (await this.file.stat()).size;
    } catch (error) {
      throw new UserFacingError(`sink \`${this.name}\` cannot open ${path}: ${(error as Error).message}`, 1);
    }
    this.counter.ConnectionCreatedCount++;
    this.counter.StartTime = Date.now();
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    const file = this.file;
    if (file === undefined) throw new Error(`sink \`${this.name}\` is not started`);
    let total = 0;
    for (let i = 0; i < events.length; i++) total += (events[i] as FlowEvent).body.length + 1;
    if (total > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(total, this.scratch.length * 2));
    const out = this.scratch;
    let offset = 0;
    for (let i = 0; i < events.length; i++) {
      const body = (events[i] as FlowEvent).body;
      offset += body.copy(out, offset);
      out[offset++] = NEWLINE;
    }
    let written = 0;
    try {
      while (written < total) {
        const result = await file.write(out, written, total - written);
        written += result.bytesWritten;
      }
      if (this.config.sync) await file.datasync();
    } catch (error) {
      // Remove the part of the batch that made it, so the runner's retry does not duplicate lines.
      if (written > 0) await file.truncate(this.committedLength).catch(() => undefined);
      throw error;
    }
    this.committedLength += total;
  }

  async stop(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    if (file === undefined) return;
    await file.close();
    this.counter.ConnectionClosedCount++;
    this.counter.StopTime = Date.now();
  }
}
