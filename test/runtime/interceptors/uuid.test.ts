import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { uuidInterceptorSpec } from "../../../runtime/interceptors/uuid/spec";
import { UuidInterceptor } from "../../../runtime/interceptors/uuid/uuid-interceptor";
import { event, numberedEvents } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuid interceptor", () => {
  it("sets `id` to a distinct random UUID on every event", () => {
    const interceptor = new UuidInterceptor("u", configOf(uuidInterceptorSpec));
    const events = numberedEvents(200);
    expect(interceptor.intercept(events)).toBe(events);
    const ids = events.map((e) => e.headers.id);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(200);
  });

  it("keeps an existing id by default (preserve_existing = true) and replaces it when false", () => {
    const mixed = (): FlowEvent[] => [event("a", { id: "first-hop" }), event("b"), event("c", { id: "" })];
    const keep = new UuidInterceptor("u", configOf(uuidInterceptorSpec)).intercept(mixed());
    expect(keep[0]?.headers.id).toBe("first-hop");
    expect(keep[1]?.headers.id).toMatch(UUID_V4);
    expect(keep[2]?.headers.id).toBe("");
    const replace = new UuidInterceptor("u", configOf(uuidInterceptorSpec, { preserve_existing: false })).intercept(mixed());
    for (const e of replace) expect(e.headers.id).toMatch(UUID_V4);
  });

  it("puts `prefix` before the UUID, under the header named by `header`", () => {
    const interceptor = new UuidInterceptor("u", configOf(uuidInterceptorSpec, { header: "event_id", prefix: "web-€-" }));
    const [out] = interceptor.intercept([event("x", { id: "other" })]);
    expect(out?.headers.id).toBe("other");
    expect(out?.headers.event_id?.startsWith("web-€-")).toBe(true);
    expect(out?.headers.event_id?.slice("web-€-".length)).toMatch(UUID_V4);
  });

  it("leaves bodies (any bytes) and order alone, counts events; an empty batch comes back as is", () => {
    const interceptor = new UuidInterceptor("u", configOf(uuidInterceptorSpec));
    const body = Buffer.from([0x00, 0xc0, 0xaf, 0xe2, 0x82]);
    const events = [event("one"), event(body), event("three")];
    const out = interceptor.intercept(events);
    expect(out.map((e) => e.body)).toEqual([Buffer.from("one"), body, Buffer.from("three")]);
    expect(out[1]?.body).toBe(body);
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 3, EventsDroppedCount: 0 });
  });
});
