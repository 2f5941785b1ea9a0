import type { FlowEvent } from "../../runtime/core/event";
import { NullSink } from "../../runtime/sinks/null/null-sink";
import { bodies } from "../helpers/events";
import { sinkCompliance } from "./sink-compliance";

/**
 * The null sink has no destination and cannot fail. To run it through the harness, this subclass notes
 * what each write was given and, while "broken", rejects before the null sink sees the batch: that checks
 * the null sink's lifecycle, batch size and counters with the real SinkRunner; the destination rules
 * (K3–K5) hold trivially for a sink that keeps nothing.
 */
class ObservedNullSink extends NullSink {
  readonly seen: string[] = [];
  broken = false;

  override write(events: readonly FlowEvent[]): Promise<void> {
    if (this.broken) return Promise.reject(new Error("broken on purpose by the compliance test"));
    this.seen.push(...bodies(events));
    return super.write(events);
  }
}

sinkCompliance("null", ({ batchSize }) => {
  const sink = new ObservedNullSink("compliance", { batch_size: batchSize });
  return {
    sink,
    async delivered() {
      return sink.seen.slice();
    },
    breakDestination() {
      sink.broken = true;
    },
    recover() {
      sink.broken = false;
    },
  };
});
