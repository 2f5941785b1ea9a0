import { main } from "./main";

// A reader that stops early (`flowc check --help | head`) closes the pipe: that is not an error of flowc.
// Without this, the next write would throw EPIPE as an uncaught exception with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The `flowc` executable (bundled to build/flowc.cjs).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
