import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { RemoveHeaderInterceptor } from "../../../runtime/interceptors/remove-header/remove-header-interceptor";
import { removeHeaderInterceptorSpec } from "../../../runtime/interceptors/remove-header/spec";
import { event } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

function removeHeader(config: Parameters<typeof configOf<typeof removeHeaderInterceptorSpec>>[1]): RemoveHeaderInterceptor {
  return new RemoveHeaderInterceptor("rm", configOf(removeHeaderInterceptorSpec, config));
}

const headersOf = (events: readonly FlowEvent[]): Record<string, string>[] => events.map((e) => ({ ...e.headers }));

describe("remove_header interceptor", () => {
  it("removes the header named by with_name, leaving others and events without it alone", () => {
    const events = [event("a", { secret: "s", keep: "k" }), event("b", { keep: "k" }), event("c")];
    expect(headersOf(removeHeader({ with_name: "secret" }).intercept(events))).toEqual([{ keep: "k" }, { keep: "k" }, {}]);
  });

  it("removes every header named in from_list", () => {
    const events = [event("a", { a: "1", b: "2", c: "3" }), event("b", { b: "2", d: "4" })];
    expect(headersOf(removeHeader({ from_list: ["a", "b", "missing"] }).intercept(events))).toEqual([{ c: "3" }, { d: "4" }]);
  });

  it("removes headers whose whole name matches match_regex (Java's matches()), with its flags", () => {
    const events = [event("a", { "x-trace": "1", "X-Debug": "2", "ax-b": "3", "x-": "4", host: "h" })];
    expect(headersOf(removeHeader({ match_regex: "/x-.*/" }).intercept(events))).toEqual([{ "X-Debug": "2", "ax-b": "3", host: "h" }]);
    const again = [event("a", { "x-trace": "1", "X-Debug": "2", "ax-b": "3", host: "h" })];
    expect(headersOf(removeHeader({ match_regex: "/x-.*/i" }).intercept(again))).toEqual([{ "ax-b": "3", host: "h" }]);
  });

  it("reads a bare pattern (as an env() value arrives) and alternations as a whole-name match", () => {
    const events = [event("a", { ab: "1", abc: "2", b: "3" })];
    expect(headersOf(removeHeader({ match_regex: "ab|b" }).intercept(events))).toEqual([{ abc: "2" }]);
  });

  it("applies with_name, from_list and match_regex together", () => {
    const events = [event("a", { one: "1", two: "2", tmp_x: "3", tmp_y: "4", keep: "k" }), event("b", { keep: "k", one: "1" })];
    const interceptor = removeHeader({ with_name: "one", from_list: ["two"], match_regex: "/tmp_.+/" });
    expect(headersOf(interceptor.intercept(events))).toEqual([{ keep: "k" }, { keep: "k" }]);
  });

  it("gives the same answer for every event with a global or sticky regex (no lastIndex carried over)", () => {
    const events = Array.from({ length: 5 }, (_, i) => event(`e${i}`, { "tmp-a": "1", "tmp-b": "2", keep: "k" }));
    const global = removeHeader({ match_regex: "/tmp-./g" }).intercept(events);
    expect(headersOf(global)).toEqual(Array(5).fill({ keep: "k" }));
    const sticky = [event("a", { "tmp-a": "1" }), event("b", { "tmp-b": "2" })];
    expect(headersOf(removeHeader({ match_regex: "/tmp-./y" }).intercept(sticky))).toEqual([{}, {}]);
  });

  it("keeps order, bodies (any bytes) and the array; counts events; an empty batch comes back as is", () => {
    const interceptor = removeHeader({ with_name: "h" });
    const body = Buffer.from([0xe6, 0x97, 0xa5, 0xff]);
    const events = [event("first", { h: "1" }), event(body, { h: "2" }), event("third")];
    const out = interceptor.intercept(events);
    expect(out).toBe(events);
    expect(out.map((e) => e.body.toString("latin1"))).toEqual(["first", body.toString("latin1"), "third"]);
    expect(out[1]?.body).toBe(body);
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 3, EventsDroppedCount: 0 });
  });

  it("needs at least one of with_name, from_list and match_regex", () => {
    expect(() => removeHeader({})).toThrow(UserFacingError);
    expect(() => removeHeader({})).toThrow("interceptor `rm` (remove_header) needs at least one of `with_name`, `from_list` and `match_regex`");
    // Values an env() lookup that the agent is about to report resolves to are accepted.
    expect(() => removeHeader({ from_list: [] })).not.toThrow();
    expect(() => removeHeader({ with_name: "" })).not.toThrow();
  });

  it("reports an invalid match_regex", () => {
    expect(() => removeHeader({ match_regex: "/(unclosed/" })).toThrow(UserFacingError);
    expect(() => removeHeader({ match_regex: "/(unclosed/" })).toThrow(/match_regex of interceptor `rm` is not a valid regular expression/);
  });
});
