import { join } from "node:path";
import { SpooldirSource } from "../../runtime/sources/spooldir/spooldir-source";
import { drop, spoolConfig } from "../runtime/spooldir/spool-helpers";
import { sourceCompliance } from "./source-compliance";

sourceCompliance("spooldir", ({ processor, batchSize, dir }) => {
  const directory = join(dir, "spool");
  const source = new SpooldirSource("compliance", spoolConfig(directory, { batch_size: batchSize }), processor);
  let files = 0;
  return {
    source,
    async send(bodies) {
      // A finished file, moved into the directory; the source reads it at its own pace (a file cannot
      // be refused back to its writer: it simply waits on disk while the channel is full).
      drop(directory, `batch-${String(files++).padStart(4, "0")}.log`, `${bodies.join("\n")}\n`);
    },
    async cleanup() {},
  };
});
