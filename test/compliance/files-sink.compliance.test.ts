import { existsSync, readFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { FilesSink } from "../../runtime/sinks/files/files-sink";
import { sinkCompliance } from "./sink-compliance";

type Write = (buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;

sinkCompliance("files", ({ batchSize, dir }) => {
  const path = join(dir, "out", "events.log");
  const sink = new FilesSink("compliance", { path, batch_size: batchSize, sync: false });
  /** The open handle's own `write`, shadowed while the destination is broken. */
  let broken: { write?: Write } | undefined;
  return {
    sink,
    async delivered() {
      if (!existsSync(path)) return [];
      const text = readFileSync(path, "utf8");
      return text === "" ? [] : text.slice(0, -1).split("\n");
    },
    breakDestination() {
      // White-box: like a disk filling up mid-batch, each attempt writes half its bytes, then fails.
      const handle = (sink as unknown as { file: FileHandle | undefined }).file;
      if (handle === undefined) throw new Error("FilesSink keeps its open handle in `file`; the harness needs it started");
      const target = handle as unknown as { write: Write };
      const realWrite = target.write;
      let half = true;
      target.write = (buffer, offset, length) => {
        half = !half;
        if (!half) return realWrite.call(handle, buffer, offset, Math.ceil(length / 2));
        return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
      };
      broken = target;
    },
    recover() {
      if (broken !== undefined) delete broken.write; // back to the prototype's write
      broken = undefined;
    },
  };
});
