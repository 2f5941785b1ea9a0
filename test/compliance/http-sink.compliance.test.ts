import { HttpSink } from "../../runtime/sinks/http/http-sink";
import { httpSinkSpec } from "../../runtime/sinks/http/spec";
import { ndjsonEvents, startReceiver } from "../helpers/http-receiver";
import { configOf } from "../helpers/spec-config";
import { sinkCompliance } from "./sink-compliance";

sinkCompliance("http", async ({ batchSize }) => {
  const receiver = await startReceiver();
  // The sink's own backoff is short here, like the harness's sink runner's.
  const sink = new HttpSink("compliance", configOf(httpSinkSpec, { url: `${receiver.url}/ingest`, batch_size: batchSize, max_backoff: 20 }));
  return {
    sink,
    async delivered() {
      return ndjsonEvents(receiver.requests.filter((request) => request.status === 200)).map((event) => event.body);
    },
    breakDestination() {
      // Alternately: the connection dropped after half of the batch arrived, and a 503 answer.
      let attempt = 0;
      receiver.reply(() => (attempt++ % 2 === 0 ? "cut" : { status: 503, headers: { "Retry-After": "0" }, body: "overloaded" }));
    },
    recover() {
      receiver.reply(() => ({ status: 200 }));
    },
    cleanup: () => receiver.close(),
  };
});
