import { describe, expect, it } from "vitest";
import { Health } from "../../../runtime/metrics/health";

describe("Health", () => {
  it("starts as starting and answers 503", () => {
    const health = new Health();
    expect(health.state).toBe("starting");
    expect(health.report()).toEqual({ statusCode: 503, body: '{"status":"starting"}' });
  });

  it("moves starting → ready → draining → stopped, answering 200 only when ready", () => {
    const health = new Health();
    expect(health.moveTo("ready")).toBe(true);
    expect(health.report()).toEqual({ statusCode: 200, body: '{"status":"ready"}' });
    expect(health.moveTo("draining")).toBe(true);
    expect(health.report()).toEqual({ statusCode: 503, body: '{"status":"draining"}' });
    expect(health.moveTo("stopped")).toBe(true);
    expect(health.report()).toEqual({ statusCode: 503, body: '{"status":"stopped"}' });
  });

  it("never moves back: a stop signal during start skips ready", () => {
    const health = new Health();
    expect(health.moveTo("draining")).toBe(true);
    expect(health.moveTo("ready")).toBe(false);
    expect(health.moveTo("starting")).toBe(false);
    expect(health.moveTo("draining")).toBe(false);
    expect(health.state).toBe("draining");
    expect(health.report().statusCode).toBe(503);
  });
});
