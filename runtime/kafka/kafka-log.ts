import { logLevel, type LogEntry, type logCreator } from "kafkajs";
import type { LogFields, Logger } from "../core/log";

/**
 * Routes kafkajs's own log lines into the agent's structured log, one level lower than kafkajs gives them:
 * kafkajs logs every retried request as an ERROR, while the component itself logs (at error) only what it
 * gives up on, so an operator's error lines stay the ones that need action.
 */
export function kafkaLogCreator(log: Logger): logCreator {
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, logger: _logger, ...rest } = entry.log as LogEntry["log"] & { logger?: string };
    const fields: LogFields = { kafka: entry.namespace };
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined || value === null) continue;
      fields[key] = typeof value === "object" ? JSON.stringify(value) : (value as string | number | boolean);
    }
    const text = `kafka: ${message}`;
    switch (entry.level) {
      case logLevel.ERROR:
        log.warn(text, fields);
        break;
      case logLevel.WARN:
        log.info(text, fields);
        break;
      default:
        log.debug(text, fields);
    }
  };
}
