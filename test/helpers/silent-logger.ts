import { createLogger, type Logger } from "../../runtime/core/log";

/** A runtime logger that writes nothing: for components under test whose logs are not the subject. */
export function silentLogger(): Logger {
  return createLogger("error", () => {});
}

/** A runtime logger that records every line (all levels) in `lines`, for tests that check what was logged. */
export function recordingLogger(): { readonly log: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger("debug", (line) => lines.push(line)), lines };
}
