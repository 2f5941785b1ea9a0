/**
 * Kafka error types that condemn the records of a produce request rather than the connection or the
 * cluster: sending them again cannot succeed. Any other failure is retried until it succeeds.
 */
const RECORD_REFUSALS = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "INVALID_RECORD", "CORRUPT_MESSAGE", "INVALID_TIMESTAMP"]);

/** Whether a kafkajs send failure (or the error it wraps) says the brokers will never take these records. */
export function isRecordRefusal(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === "object" && current !== null && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === "string" && RECORD_REFUSALS.has(type)) return true;
    const next = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return false;
}
