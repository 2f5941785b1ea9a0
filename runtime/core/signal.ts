/**
 * A reusable wake-up: waiters share one promise per idle period, so waiting costs one allocation per
 * transition between busy and idle, never one per event.
 */
export class Signal {
  private pending: Promise<void> | undefined;
  private release: (() => void) | undefined;

  wait(): Promise<void> {
    if (this.pending === undefined) {
      this.pending = new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
    return this.pending;
  }

  notify(): void {
    const release = this.release;
    if (release === undefined) return;
    this.pending = undefined;
    this.release = undefined;
    release();
  }
}
