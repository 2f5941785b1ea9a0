import type { LogFields, Logger } from "../../core/log";

/** How often each kind of problem is logged at most. */
export const PROBLEM_LOG_INTERVAL_MS = 10_000;

interface Kind {
  lastLoggedAt: number;
  suppressed: number;
}

/**
 * Warnings about bad input, at most one per kind every `intervalMs`: a sender that sends nothing but
 * garbage must not flood the agent's log. The next warning of a kind says how many were not logged
 * (`suppressed=N`); the source's counters count every one.
 */
export class ProblemLog {
  private readonly kinds = new Map<string, Kind>();
  private log: Logger | undefined = undefined;

  constructor(
    private readonly intervalMs = PROBLEM_LOG_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where warnings go from now on (none until then: a source gets its logger when it starts). */
  logTo(log: Logger): void {
    this.log = log;
  }

  /**
   * Whether a problem of `kind` that just happened is to be logged now; when it is not, it is counted as
   * suppressed. Callers build the log line only when this is true: `if (p.due(k)) p.warn(k, …)`.
   */
  due(kind: string): boolean {
    const state = this.kinds.get(kind);
    if (state === undefined || this.now() - state.lastLoggedAt >= this.intervalMs) return true;
    state.suppressed++;
    return false;
  }

  /** Logs a problem of `kind` (that `due` allowed), with how many of its kind were not logged since the last one. */
  warn(kind: string, message: string, fields: LogFields): void {
    let state = this.kinds.get(kind);
    if (state === undefined) {
      state = { lastLoggedAt: 0, suppressed: 0 };
      this.kinds.set(kind, state);
    }
    const suppressed = state.suppressed;
    state.lastLoggedAt = this.now();
    state.suppressed = 0;
    this.log?.warn(message, suppressed > 0 ? { ...fields, suppressed } : fields);
  }
}

/** The first bytes of a message, for a log line (the logger quotes and escapes it). */
export function sample(bytes: Buffer, max = 80): string {
  const text = bytes.toString("utf8", 0, Math.min(bytes.length, max));
  return bytes.length > max ? `${text}…` : text;
}
