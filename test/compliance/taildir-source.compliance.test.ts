import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { taildirSourceSpec } from "../../runtime/sources/taildir/spec";
import { TaildirSource } from "../../runtime/sources/taildir/taildir-source";
import { configOf } from "../helpers/spec-config";
import { sourceCompliance } from "./source-compliance";

sourceCompliance("taildir", ({ processor, batchSize, dir }) => {
  const config = configOf(taildirSourceSpec, {
    files: { logs: join(dir, "*.log") },
    position_file: join(dir, "state", "positions.json"),
    batch_size: batchSize,
    poll_interval: 20,
  });
  const source = new TaildirSource("compliance", config, processor);
  return {
    source,
    async send(bodies) {
      // A writer appending to a log file: the source finds the file and reads it at its own pace.
      await appendFile(join(dir, "app.log"), bodies.join("\n") + "\n");
    },
    async cleanup() {},
  };
});
