import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import type { FlowEvent } from "../../../runtime/core/event";
import type { Logger } from "../../../runtime/core/log";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { spooldirSourceSpec } from "../../../runtime/sources/spooldir/spec";
import { SpooldirSource, type SpooldirSourceConfig } from "../../../runtime/sources/spooldir/spooldir-source";
import { takeAll } from "../../helpers/channel-io";
import { memoryChannel } from "../../helpers/memory-channel";
import { silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { withTimeout } from "../../helpers/with-timeout";

export interface Rig {
  readonly source: SpooldirSource;
  readonly channel: MemoryChannel;
  readonly started: string;
}

/** Sources started by `startSpool`, stopped (while their channel is drained) by `stopAll`. */
const running: Rig[] = [];

/**
 * A spooldir source over `directory` feeding a memory channel, started. Polls every 10 ms and reads files
 * at once (`min_age = 0ms`) unless `config` says otherwise.
 */
export async function startSpool(
  directory: string,
  config: Partial<SpooldirSourceConfig> = {},
  channelConfig: { capacity?: number; transaction_capacity?: number } = {},
  log: Logger = silentLogger(),
): Promise<Rig> {
  const channel = memoryChannel("c", { capacity: 100_000, transaction_capacity: 1_000, ...channelConfig });
  await channel.start();
  const source = new SpooldirSource("spool", spoolConfig(directory, config), new ReplicatingProcessor({ required: [channel] }));
  const started = await withTimeout(source.start(log), 5_000, "the spooldir source to start");
  const rig = { source, channel, started };
  running.push(rig);
  return rig;
}

export function spoolConfig(directory: string, config: Partial<SpooldirSourceConfig> = {}): SpooldirSourceConfig {
  return configOf(spooldirSourceSpec, { directory, min_age: 0, poll_delay: 10, ...config });
}

/**
 * Stops `rig`'s source while draining its channel (stop waits for a batch held by a full channel);
 * returns every event taken from the channel, in order.
 */
export async function stopDraining(rig: Rig): Promise<FlowEvent[]> {
  const index = running.indexOf(rig);
  if (index !== -1) running.splice(index, 1);
  let stopped = false;
  const stopping = rig.source.stop().then(() => {
    stopped = true;
  });
  const taken: FlowEvent[] = [];
  const deadline = Date.now() + 5_000;
  while (!stopped && Date.now() < deadline) {
    taken.push(...takeAll(rig.channel));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (!stopped) throw new Error("the spooldir source's stop() did not resolve within 5 s");
  await stopping;
  taken.push(...takeAll(rig.channel));
  return taken;
}

export async function stopAll(): Promise<void> {
  for (const rig of running.splice(0)) await stopDraining(rig);
}

/**
 * Puts a finished file into the spooling directory the way writers should: written under a hidden name,
 * given a modification time `ageMs` in the past, then renamed into place.
 */
export function drop(directory: string, name: string, content: string | Buffer, ageMs = 60_000): string {
  const path = join(directory, name);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${name.replaceAll("/", "_")}.part`);
  writeFileSync(temporary, content);
  const when = new Date(Date.now() - ageMs);
  utimesSync(temporary, when, when);
  renameSync(temporary, path);
  return path;
}

/** Appends to a file and makes sure its modification time changes (however coarse the clock). */
export function appendChanging(path: string, content: string): void {
  appendFileSync(path, content);
  const later = new Date(Date.now() + 5_000);
  utimesSync(path, later, later);
}

/** Lines `${prefix}-000000` … with a newline after each. */
export function numberedLines(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(6, "0")}`);
}

/** Every file under `directory`, relative to it, sorted (hidden ones included). */
export function listing(directory: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(directory, path));
    }
  };
  if (existsSync(directory)) walk(directory);
  return out.sort();
}
