import { LoggerSink, type LineOutput } from "../../runtime/sinks/logger/logger-sink";
import { sinkCompliance } from "./sink-compliance";

// The destination is a stand-in for stdout that keeps what it was given; broken, it fails each write
// as stdout does once its reader is gone (EPIPE), taking none of it.
sinkCompliance("logger", ({ batchSize }) => {
  let text = "";
  let broken = false;
  const output: LineOutput = {
    write(chunk, done) {
      if (broken) {
        setImmediate(() => done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })));
        return false;
      }
      text += chunk;
      setImmediate(() => done());
      return true;
    },
  };
  const sink = new LoggerSink("compliance", { max_body_length: 1_024, batch_size: batchSize }, output);
  return {
    sink,
    async delivered() {
      // Each line is `{headers} body`; the harness's events have no headers.
      return text === "" ? [] : text.slice(0, -1).split("\n").map((line) => line.replace(/^\{\} ?/, ""));
    },
    breakDestination() {
      broken = true;
    },
    recover() {
      broken = false;
    },
  };
});
