import type { Logger } from "../core/log";

/**
 * Node's process warnings become log lines in the agent's own format, instead of free text on stderr that
 * log shippers can't parse. Warnings that libraries cause and users can do nothing about go to debug:
 * kafkajs (2.2.4) schedules negative timeouts in its request queue, which Node 24 warns about on every
 * busy connection.
 */
export function logProcessWarnings(log: Logger): void {
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error & { code?: string }) => {
    const fields = { warning: warning.name, code: warning.code };
    if (warning.name === "TimeoutNegativeWarning") log.debug(warning.message, fields);
    else log.warn(warning.message, fields);
  });
}
