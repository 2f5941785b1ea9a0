import type { Channel } from "../core/channel";
import type { Interceptor } from "../core/component";
import type { Logger } from "../core/log";

/** What every channel processor is built from (generated code passes all of them, in this order). */
export interface ProcessorOptions {
  /** Channels that must take their events: the batch goes into all of them or none (the source retries). */
  readonly required: readonly Channel[];
  /** Best-effort channels, put after the required ones commit; a refusal is counted and ignored. */
  readonly optional?: readonly Channel[];
  /** Run in order on every batch before it is put (and again when a refused batch is retried). */
  readonly interceptors?: readonly Interceptor[];
  /** Receives a debug line per refused optional put; nothing is logged without it. */
  readonly log?: Logger;
}
