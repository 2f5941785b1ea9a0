import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { staticInterceptorSpec } from "../../../runtime/interceptors/static/spec";
import { StaticInterceptor } from "../../../runtime/interceptors/static/static-interceptor";
import { event, numberedEvents } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

describe("static interceptor", () => {
  it("sets the header `key` to `value` on every event", () => {
    const interceptor = new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "datacenter", value: "eu-west" }));
    const events = numberedEvents(3);
    expect(interceptor.intercept(events)).toBe(events);
    expect(events.map((e) => e.headers)).toEqual(Array(3).fill({ datacenter: "eu-west" }));
  });

  it("keeps an existing value by default (preserve_existing = true) and overwrites it when false", () => {
    const mixed = (): FlowEvent[] => [event("a", { env: "dev" }), event("b"), event("c", { env: "qa", x: "1" })];
    const keep = new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "env", value: "prod" }));
    const overwrite = new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "env", value: "prod", preserve_existing: false }));
    expect(keep.intercept(mixed()).map((e) => e.headers)).toEqual([{ env: "dev" }, { env: "prod" }, { env: "qa", x: "1" }]);
    expect(overwrite.intercept(mixed()).map((e) => e.headers)).toEqual([{ env: "prod" }, { env: "prod" }, { env: "prod", x: "1" }]);
  });

  it("treats only the event's own headers as existing, even for names Object.prototype has", () => {
    const interceptor = new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "constructor", value: "c" }));
    const [out] = interceptor.intercept([event("x")]);
    expect(Object.hasOwn(out?.headers ?? {}, "constructor")).toBe(true);
    expect(out?.headers.constructor).toBe("c");
  });

  it("sets non-ASCII values and leaves bodies alone", () => {
    const interceptor = new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "städt", value: "Zürich 東京" }));
    const body = Buffer.from([0xf0, 0x9f, 0x8e, 0x89, 0x80]);
    const [out] = interceptor.intercept([event(body)]);
    expect(out?.headers).toEqual({ städt: "Zürich 東京" });
    expect(out?.body).toBe(body);
  });

  it("counts events; an empty batch comes back as is", () => {
    const interceptor = new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "k", value: "v" }));
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    interceptor.intercept(numberedEvents(5));
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 5, EventsDroppedCount: 0 });
  });

  it("requires `key` and `value` in its spec and refuses `__proto__` as the key", () => {
    expect(staticInterceptorSpec.properties.key.required).toBe(true);
    expect(staticInterceptorSpec.properties.value.required).toBe(true);
    expect(() => new StaticInterceptor("s", configOf(staticInterceptorSpec, { key: "__proto__", value: "v" }))).toThrow(UserFacingError);
  });
});
