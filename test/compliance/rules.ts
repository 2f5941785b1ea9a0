/**
 * The rules every source and sink follows, one sentence each. The compliance harness names its tests after
 * them and docs/component-rules.md states them; a test keeps the two in step.
 */
export interface Rule {
  readonly id: string;
  readonly text: string;
}

export const SOURCE_RULES = {
  start: { id: "S1", text: "a source MUST accept input once start() resolves, and resolve start() with a description of where it listens or reads" },
  stop: { id: "S2", text: "a source MUST resolve stop() when called again, and when start() was never called (an agent stops every source after a failed start)" },
  deliver: { id: "S3", text: "a source MUST hand every event it received to its channel processor, in the order received" },
  backpressure: {
    id: "S4",
    text: "a source MUST NOT lose input when a required channel is full: it pushes back on its sender and retries after the processor's whenWritable(), so everything arrives once the channel drains",
  },
  stopHandsOver: { id: "S5", text: "a source MUST hand everything it received (and did not refuse back to its sender) to its channels before stop() resolves" },
  received: { id: "S6", text: "a source MUST count every event it received in EventReceivedCount" },
  accepted: { id: "S7", text: "a source MUST count every event a channel put committed in EventAcceptedCount, once, however often its batch was retried" },
  writeFail: { id: "S8", text: "a source MUST count each batch a required channel refused in ChannelWriteFail" },
} as const satisfies Record<string, Rule>;

export const SINK_RULES = {
  start: { id: "K1", text: "a sink MUST be ready to write once start() resolves" },
  stop: { id: "K2", text: "a sink MUST resolve stop() when called again, and when start() was never called" },
  deliver: { id: "K3", text: "a sink MUST resolve write() only once the whole batch reached its destination, in order" },
  rollback: {
    id: "K4",
    text: "a sink MUST reject write() when any event of the batch was not delivered, so the sink runner rolls the batch back into the channel and retries it",
  },
  noPartial: {
    id: "K5",
    text: "a sink MUST NOT leave part of a failed batch at its destination for the retry to duplicate, unless it declares that retries may duplicate (e.g. an acknowledgement lost in transit)",
  },
  drainCounts: {
    id: "K6",
    text: "a sink MUST count EventDrainAttemptCount for every event taken for delivery and EventDrainSuccessCount for every event delivered (the SinkRunner does this on the sink's counter; a sink that runs its own loop MUST do the same)",
  },
  batchCounts: {
    id: "K7",
    text: "a sink MUST count every take as BatchCompleteCount (a full batch), BatchUnderflowCount (a short one) or BatchEmptyCount (none) (the SinkRunner does this too)",
  },
  connections: { id: "K8", text: "a sink MUST count ConnectionCreatedCount each time it opens its destination (a file, a connection)" },
} as const satisfies Record<string, Rule>;

/** A test name citing the rules the test checks, with the first one's text: `[S4, S8] a source MUST NOT lose …`. */
export function checks(first: Rule, ...more: readonly Rule[]): string {
  return `[${[first, ...more].map((rule) => rule.id).join(", ")}] ${first.text}`;
}
