import { ForwardSink } from "../../runtime/sinks/forward/forward-sink";
import { forwardSinkSpec } from "../../runtime/sinks/forward/spec";
import { FakeReceiver } from "../helpers/fake-forward-receiver";
import { configOf } from "../helpers/spec-config";
import { sinkCompliance } from "./sink-compliance";

sinkCompliance("forward", async ({ batchSize }) => {
  // The destination is a receiver built on an independent msgpack library, acknowledging every chunk.
  const receiver = new FakeReceiver();
  const port = await receiver.listen();
  // A short backoff, so the harness's retries reconnect quickly once the receiver recovers.
  const sink = new ForwardSink("compliance", configOf(forwardSinkSpec, { port, batch_size: batchSize, reconnect_backoff_max: 20 }));
  return {
    sink,
    async delivered() {
      return receiver.entries().map(([, , record]) => String(record["message"]));
    },
    breakDestination() {
      // The receiver reads each chunk and drops the connection without acknowledging it, as a collector
      // that dies mid-batch: the chunk reached it, so the retry may deliver it twice.
      receiver.onChunk = () => "close";
    },
    recover() {
      receiver.onChunk = () => "ack";
    },
    mayDuplicateOnRetry: true,
    async cleanup() {
      await receiver.close();
    },
  };
});
