import { once } from "node:events";
import { PassThrough } from "node:stream";
import { StdinSource } from "../../runtime/sources/stdin/stdin-source";
import { sourceCompliance } from "./source-compliance";

// A pipe stands in for the agent's stdin: the source stops reading it when a channel is full, so the
// writer's buffer fills and it waits for 'drain', as a process writing into a full pipe blocks.
sourceCompliance("stdin", ({ processor, batchSize }) => {
  const input = new PassThrough({ highWaterMark: 4_096 });
  const source = new StdinSource("compliance", { delimiter: "\n", max_line_length: 1_024, batch_size: batchSize }, processor, input);
  return {
    source,
    async send(bodies) {
      const text = bodies.map((body) => `${body}\n`).join("");
      for (let at = 0; at < text.length; at += 1_000) {
        if (!input.write(text.slice(at, at + 1_000))) await once(input, "drain");
      }
      input.end();
    },
    async cleanup() {
      input.destroy();
    },
  };
});
