import { hostname, networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { HostInterceptor, hostAddress } from "../../../runtime/interceptors/host/host-interceptor";
import { hostInterceptorSpec } from "../../../runtime/interceptors/host/spec";
import { event, numberedEvents } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

describe("host interceptor", () => {
  it("sets `host` to this host's IP address by default (a non-loopback one when there is one)", () => {
    const interceptor = new HostInterceptor("h", configOf(hostInterceptorSpec));
    const out = interceptor.intercept(numberedEvents(3));
    const addresses = Object.values(networkInterfaces()).flatMap((infos) => (infos ?? []).filter((i) => !i.internal).map((i) => i.address));
    const value = out[0]?.headers.host;
    expect(value).toBe(hostAddress());
    if (addresses.some((address) => IPV4.test(address))) expect(value).toMatch(IPV4);
    expect(addresses.length === 0 ? ["127.0.0.1"] : addresses).toContain(value);
    expect(out.map((e) => e.headers.host)).toEqual([value, value, value]);
  });

  it("sets the host name with use_ip = false, under the header named by `header`", () => {
    const interceptor = new HostInterceptor("h", configOf(hostInterceptorSpec, { use_ip: false, header: "agent_host" }));
    const [out] = interceptor.intercept([event("x")]);
    expect(out?.headers).toEqual({ agent_host: hostname() });
  });

  it("overwrites an existing header unless preserve_existing, in a mixed batch", () => {
    const mixed = (): FlowEvent[] => [event("a", { host: "upstream" }), event("b", { other: "1" }), event("c", { host: "" })];
    const overwrite = new HostInterceptor("h", configOf(hostInterceptorSpec, { use_ip: false }));
    const keep = new HostInterceptor("h", configOf(hostInterceptorSpec, { use_ip: false, preserve_existing: true }));
    expect(overwrite.intercept(mixed()).map((e) => e.headers)).toEqual([{ host: hostname() }, { other: "1", host: hostname() }, { host: hostname() }]);
    expect(keep.intercept(mixed()).map((e) => e.headers)).toEqual([{ host: "upstream" }, { other: "1", host: hostname() }, { host: "" }]);
  });

  it("leaves bodies as they were and counts events; an empty batch comes back as is", () => {
    const interceptor = new HostInterceptor("h", configOf(hostInterceptorSpec));
    const body = Buffer.from("naïve 日本 🎉", "utf8");
    const [out] = interceptor.intercept([event(body)]);
    expect(out?.body).toBe(body);
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 1, EventsDroppedCount: 0 });
  });
});
