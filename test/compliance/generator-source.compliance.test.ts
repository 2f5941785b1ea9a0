import { GeneratorSource } from "../../runtime/sources/generator/generator-source";
import { sourceCompliance } from "./source-compliance";

// The generator makes its own input: it is configured to make exactly the bodies a check expects
// (`prefix-000000`, `prefix-000001`, …), and `send` waits for it to finish.
sourceCompliance("generator", ({ processor, batchSize, bodies }) => {
  const first = bodies[0];
  const body = first === undefined ? "unbounded-%{seq:6}" : first.replace(/\d{6}$/, "%{seq:6}");
  const source = new GeneratorSource("compliance", { body, count: bodies.length, rate: 0, batch_size: batchSize }, processor);
  return {
    source,
    async send() {
      if (bodies.length > 0) await source.finished;
    },
    async cleanup() {},
  };
});
