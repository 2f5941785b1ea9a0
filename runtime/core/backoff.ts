/** Exponential backoff: doubles from `initialMs` on each failure up to `maxMs`; `reset` on success. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  nextDelayMs(): number {
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.failures);
    if (delay < this.maxMs) this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
