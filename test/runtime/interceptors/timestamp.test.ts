import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { timestampInterceptorSpec } from "../../../runtime/interceptors/timestamp/spec";
import { TimestampInterceptor } from "../../../runtime/interceptors/timestamp/timestamp-interceptor";
import { event, numberedEvents } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

describe("timestamp interceptor", () => {
  it("sets `timestamp` to the clock in epoch ms, reading the clock once per batch", () => {
    let reads = 0;
    const clock = (): number => {
      reads++;
      return 1_700_000_000_123 + reads;
    };
    const interceptor = new TimestampInterceptor("ts", configOf(timestampInterceptorSpec), clock);
    const events = numberedEvents(5);
    const out = interceptor.intercept(events);
    expect(out).toBe(events);
    expect(out.map((e) => e.headers.timestamp)).toEqual(Array(5).fill("1700000000124"));
    expect(reads).toBe(1);
    interceptor.intercept(numberedEvents(3));
    expect(reads).toBe(2);
  });

  it("uses the real clock by default", () => {
    const interceptor = new TimestampInterceptor("ts", configOf(timestampInterceptorSpec));
    const before = Date.now();
    const [stamped] = interceptor.intercept([event("x")]);
    const after = Date.now();
    const value = Number(stamped?.headers.timestamp);
    expect(value).toBeGreaterThanOrEqual(before);
    expect(value).toBeLessThanOrEqual(after);
  });

  it("overwrites an existing header unless preserve_existing", () => {
    const overwrite = new TimestampInterceptor("ts", configOf(timestampInterceptorSpec), () => 42);
    const keep = new TimestampInterceptor("ts", configOf(timestampInterceptorSpec, { preserve_existing: true }), () => 42);
    const mixed = (): FlowEvent[] => [event("a", { timestamp: "1" }), event("b"), event("c", { timestamp: "3", other: "o" })];
    expect(overwrite.intercept(mixed()).map((e) => e.headers)).toEqual([{ timestamp: "42" }, { timestamp: "42" }, { timestamp: "42", other: "o" }]);
    expect(keep.intercept(mixed()).map((e) => e.headers)).toEqual([{ timestamp: "1" }, { timestamp: "42" }, { timestamp: "3", other: "o" }]);
  });

  it("writes the header named by `header`, leaving bodies (any bytes) as they were", () => {
    const interceptor = new TimestampInterceptor("ts", configOf(timestampInterceptorSpec, { header: "ingest_ms" }), () => 7);
    const body = Buffer.from([0xc3, 0xa9, 0xff, 0x00, 0xe2, 0x82, 0xac]);
    const [out] = interceptor.intercept([event(body, { host: "h" })]);
    expect(out?.headers).toEqual({ host: "h", ingest_ms: "7" });
    expect(out?.body).toBe(body);
    expect([...(out?.body ?? [])]).toEqual([0xc3, 0xa9, 0xff, 0x00, 0xe2, 0x82, 0xac]);
  });

  it("counts intercepted events and drops none; an empty batch comes back as is", () => {
    const interceptor = new TimestampInterceptor("ts", configOf(timestampInterceptorSpec), () => 1);
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(empty).toEqual([]);
    interceptor.intercept(numberedEvents(4));
    interceptor.intercept(numberedEvents(2));
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 6, EventsDroppedCount: 0 });
  });

  it("refuses `__proto__` as the header name", () => {
    expect(() => new TimestampInterceptor("ts", configOf(timestampInterceptorSpec, { header: "__proto__" }))).toThrow(UserFacingError);
    expect(() => new TimestampInterceptor("ts", configOf(timestampInterceptorSpec, { header: "__proto__" }))).toThrow(/header of interceptor `ts` cannot be `__proto__`/);
  });
});
