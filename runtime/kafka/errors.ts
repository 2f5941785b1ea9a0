/**
 * Whether a kafkajs failure may succeed if tried again (a broker down, a leader moving, a timeout) or
 * will not (authorisation, a record too large, an unknown topic when auto-creation is off). kafkajs marks
 * its errors with `retriable`; anything else (a bug, a TLS file problem) counts as not retriable.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const marked = (error as { retriable?: unknown }).retriable;
  if (marked === true) return true;
  // kafkajs wraps the last error of an exhausted retry loop; that cause says what really happened.
  const cause = (error as { originalError?: unknown; cause?: unknown }).originalError ?? (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isRetriableKafkaError(cause);
}

/** A one-line description of a kafkajs failure for logs, with its cause when kafkajs wrapped one. */
export function describeKafkaError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { originalError?: unknown }).originalError;
  return cause instanceof Error && cause.message !== error.message ? `${error.message} (${cause.message})` : error.message;
}
