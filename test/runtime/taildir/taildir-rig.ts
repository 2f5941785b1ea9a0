import { join } from "node:path";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import type { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { taildirSourceSpec } from "../../../runtime/sources/taildir/spec";
import { TaildirSource, type TaildirSourceConfig } from "../../../runtime/sources/taildir/taildir-source";
import { takeAll } from "../../helpers/channel-io";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

/** A taildir source over a memory channel that the test reads, with its log lines recorded. */
export interface TaildirRig {
  readonly source: TaildirSource;
  readonly channel: MemoryChannel;
  readonly logLines: string[];
  /** Everything taken from the channel so far, in order. */
  readonly taken: FlowEvent[];
  started: string;
  /** Takes from the channel until `count` events were taken in all (fails after 10 s with what arrived). */
  collect(count: number): Promise<string[]>;
  /** Takes what the channel holds now; returns the bodies of everything taken so far. */
  drain(): string[];
  /** Stops the source while draining its channel (stop() may wait for room); returns the bodies taken. */
  stop(): Promise<string[]>;
}

export const POLL_MS = 20;

/** Config with short intervals for tests; `files` defaults to `{ app: DIR/*.log }`. */
export function taildirConfig(dir: string, values: Partial<TaildirSourceConfig> = {}): TaildirSourceConfig {
  return configOf(taildirSourceSpec, {
    files: { app: join(dir, "*.log") },
    position_file: join(dir, "state", "positions.json"),
    poll_interval: POLL_MS,
    position_interval: 50,
    ...values,
  });
}

const rigs: TaildirRig[] = [];

/** Builds and starts a rig (stop it, or call `stopAllRigs` in `afterEach`). */
export async function startRig(config: TaildirSourceConfig, channelConfig: { capacity?: number; transaction_capacity?: number } = {}): Promise<TaildirRig> {
  const channel = memoryChannel("c", { capacity: 100_000, transaction_capacity: 1_000, ...channelConfig });
  await channel.start();
  const processor = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
  const source = new TaildirSource("tail", { ...config, batch_size: Math.min(config.batch_size, channel.transactionCapacity) }, processor);
  const { log, lines } = recordingLogger();
  const taken: FlowEvent[] = [];
  let stopped: Promise<string[]> | undefined;
  const rig: TaildirRig = {
    source,
    channel,
    logLines: lines,
    taken,
    started: "",
    async collect(count) {
      await waitFor(
        `${count} events (have ${taken.length}: …${taken.slice(-2).map((e) => e.bodyText()).join(" | ")})`,
        () => {
          taken.push(...takeAll(channel));
          return taken.length >= count;
        },
        10_000,
        5,
      );
      return taken.map((event) => event.bodyText());
    },
    drain() {
      taken.push(...takeAll(channel));
      return taken.map((event) => event.bodyText());
    },
    stop() {
      stopped ??= (async () => {
        let done = false;
        const stopping = source.stop().then(() => (done = true));
        const deadline = Date.now() + 10_000;
        while (!done && Date.now() < deadline) {
          taken.push(...takeAll(channel));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        await withTimeout(stopping, 1_000, "the taildir source's stop()");
        taken.push(...takeAll(channel));
        await channel.stop();
        return taken.map((event) => event.bodyText());
      })();
      return stopped;
    },
  };
  rigs.push(rig);
  rig.started = await withTimeout(source.start(log), 5_000, "the taildir source's start()");
  return rig;
}

export async function stopAllRigs(): Promise<void> {
  for (const rig of rigs.splice(0)) await rig.stop();
}

/** `count` numbered lines `${prefix}-000000 …` (fixed width so diffs read well). */
export function lines(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(6, "0")}`);
}

/** The lines as file content: each followed by a newline. */
export function text(of: readonly string[]): string {
  return of.length === 0 ? "" : `${of.join("\n")}\n`;
}
