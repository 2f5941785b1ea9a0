import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { constants, gunzipSync } from "node:zlib";
import { FileRollSink } from "../../runtime/sinks/file-roll/file-roll-sink";
import type { FileIo } from "../../runtime/sinks/file-output/file-set";
import { FilesSink } from "../../runtime/sinks/files/files-sink";
import { sinkCompliance, type SinkUnderTest } from "./sink-compliance";

/**
 * White-box: like a disk filling up mid-batch, every other write call writes half its bytes and the next
 * one fails with ENOSPC, for every file the sink opens (reopened files included) until `recover`.
 */
function diskFullSwitch(io: FileIo): Pick<SinkUnderTest, "breakDestination" | "recover"> {
  return {
    breakDestination() {
      const target = io as { write: FileIo["write"] };
      const realWrite = target.write;
      let half = true;
      target.write = (handle, buffer, offset, length) => {
        half = !half;
        if (!half) return realWrite(handle, buffer, offset, Math.ceil(length / 2));
        return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
      };
      this.recover = () => {
        target.write = realWrite;
      };
    },
    recover() {},
  };
}

/** The complete lines of a file (a batch being written may be read half-way), gunzipped if asked. */
function completeLines(bytes: Buffer, gzip: boolean): string[] {
  const text = (gzip ? gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }) : bytes).toString("utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  return complete === "" ? [] : complete.slice(0, -1).split("\n");
}

/**
 * The lines of every file in `dir` whose name matches, in the order of the number the pattern captures.
 * A file renamed while being read (finished) is read again under its new name.
 */
function linesOfSeries(dir: string, matches: RegExp, gzip: boolean): string[] {
  for (;;) {
    if (!existsSync(dir)) return [];
    const files = readdirSync(dir)
      .map((name) => ({ name, order: matches.exec(name) }))
      .filter((file): file is { name: string; order: RegExpExecArray } => file.order !== null)
      .sort((a, b) => Number(a.order[1]) - Number(b.order[1]));
    try {
      return files.flatMap((file) => completeLines(readFileSync(join(dir, file.name)), gzip));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

sinkCompliance("files", ({ batchSize, dir }) => {
  const path = join(dir, "out", "events.log");
  const sink = new FilesSink("compliance", { path, batch_size: batchSize, sync: false });
  return {
    sink,
    async delivered() {
      return existsSync(path) ? completeLines(readFileSync(path), false) : [];
    },
    ...diskFullSwitch(sink.files.io),
  };
});

// Rolled every 7 events (batches of 10 span files), gzip, in-progress names: a failed batch must leave
// neither bytes nor files behind, and no file it filled may be finished.
sinkCompliance("files (rolled, gzip)", ({ batchSize, dir }) => {
  const sink = new FilesSink("compliance", { path: join(dir, "out", "events"), batch_size: batchSize, roll_count: 7, compression: "gzip" });
  return {
    sink,
    async delivered() {
      return linesOfSeries(join(dir, "out"), /^events\.(\d+)\.gz(\.tmp)?$/, true);
    },
    ...diskFullSwitch(sink.files.io),
  };
});

sinkCompliance("file_roll", ({ batchSize, dir }) => {
  const directory = join(dir, "roll");
  const sink = new FileRollSink("compliance", { directory, batch_size: batchSize, roll_interval: 0 });
  return {
    sink,
    async delivered() {
      return linesOfSeries(directory, /^\d+-(\d+)$/, false);
    },
    ...diskFullSwitch(sink.files.io),
  };
});
