/**
 * What a source's channel processor counts beyond the source's own counters (a refused required put is
 * the source's `ChannelWriteFail`). Plain fields, Flume-style names, like the counters in runtime/metrics.
 */
export class ProcessorCounter {
  /** Puts into an optional channel that failed (usually: it was full); their events were not retried. */
  OptionalChannelWriteFail = 0;
  /** Events those failed optional puts carried: each is missing from that channel only. */
  OptionalEventDropCount = 0;
  /**
   * Batches a required channel refused after other required channels had already committed them (only a
   * channel whose commit fails after its `ensureRoom` passed, e.g. on a disk error): the retry duplicates
   * the batch in those channels. Stays 0 with memory channels.
   */
  PartialCommitCount = 0;
}
