import { cpSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FileChannel, type FileChannelConfig, type FileChannelOptions } from "../../../runtime/channels/file/file-channel";
import { fileChannelSpec } from "../../../runtime/channels/file/spec";
import type { Logger } from "../../../runtime/core/log";
import { configOf } from "../../helpers/spec-config";
import { silentLogger } from "../../helpers/silent-logger";

/** The spec's defaults for `dir`, with the free-space guard off (CI disks may be small), then `values`. */
export function fileConfig(dir: string, values: Partial<FileChannelConfig> = {}): FileChannelConfig {
  return configOf(fileChannelSpec, { dir, min_free_space: 0, ...values });
}

/** A started file channel on `dir`. */
export async function openChannel(
  dir: string,
  values: Partial<FileChannelConfig> = {},
  options: FileChannelOptions & { log?: Logger } = {},
): Promise<FileChannel> {
  const channel = new FileChannel("fc", fileConfig(dir, values), { log: silentLogger(), ...options });
  await channel.start();
  return channel;
}

/**
 * What a SIGKILL of the agent would leave on disk right now: every write the channel made is in the
 * kernel's page cache, so a copy of the directory's files is exactly what the next start would find
 * (the lock file included, holding a PID that is no longer the owner's).
 */
export function crashCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** Segment file names in `dir`, oldest first. */
export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^seg-\d{10}\.log$/.test(name))
    .sort();
}

/** Total size of the segment files in `dir`. */
export function segmentBytes(dir: string): number {
  return segmentFiles(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** The segment file of `dir` that contains `text`, and the offset of its first occurrence. */
export function locate(dir: string, text: string): { file: string; offset: number } {
  for (const name of segmentFiles(dir)) {
    const offset = readFileSync(join(dir, name)).indexOf(text);
    if (offset >= 0) return { file: join(dir, name), offset };
  }
  throw new Error(`no segment of ${dir} contains ${JSON.stringify(text)}`);
}
