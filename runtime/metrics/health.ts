/**
 * The agent's health, as `GET /health` reports it. It only moves forward:
 * `starting` → `ready` → `draining` → `stopped` (a stop signal during start skips `ready`). Only `ready`
 * answers 200, so a load balancer stops sending to an agent that is starting or draining.
 */
export const HEALTH_STATES = ["starting", "ready", "draining", "stopped"] as const;

export type HealthState = (typeof HEALTH_STATES)[number];

export interface HealthReport {
  readonly statusCode: 200 | 503;
  /** `{"status":"ready"}` and the like. */
  readonly body: string;
}

export class Health {
  private current: HealthState = "starting";

  get state(): HealthState {
    return this.current;
  }

  /**
   * Moves to `next` if it is later than the current state; returns whether the state changed. A move
   * back (e.g. `ready` after a stop signal already arrived) is ignored.
   */
  moveTo(next: HealthState): boolean {
    if (HEALTH_STATES.indexOf(next) <= HEALTH_STATES.indexOf(this.current)) return false;
    this.current = next;
    return true;
  }

  report(): HealthReport {
    return { statusCode: this.current === "ready" ? 200 : 503, body: JSON.stringify({ status: this.current }) };
  }
}
