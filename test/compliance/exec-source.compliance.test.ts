import { execFileSync } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { ExecSource } from "../../runtime/sources/exec/exec-source";
import { sourceCompliance } from "./source-compliance";

// The command is `cat` reading a named pipe the test writes into: when the source stops reading the
// command's stdout, `cat` blocks in its write, stops reading the named pipe, and the writer blocks too.
sourceCompliance("exec", ({ processor, batchSize, dir }) => {
  const fifo = join(dir, "input.fifo");
  execFileSync("mkfifo", [fifo]);
  const source = new ExecSource(
    "compliance",
    {
      command: `exec cat '${fifo}'`,
      restart: false,
      restart_backoff: 1_000,
      restart_backoff_max: 60_000,
      batch_size: batchSize,
      batch_timeout: 10,
      max_line_length: 1_024,
      log_stderr: true,
    },
    processor,
  );
  const writers: WriteStream[] = [];
  return {
    source,
    async send(bodies) {
      const writer = createWriteStream(fifo);
      writers.push(writer);
      const text = bodies.map((body) => `${body}\n`).join("");
      for (let at = 0; at < text.length; at += 1_000) {
        if (!writer.write(text.slice(at, at + 1_000))) await once(writer, "drain");
      }
      writer.end();
      await once(writer, "close");
    },
    async cleanup() {
      for (const writer of writers.splice(0)) writer.destroy();
    },
  };
});
