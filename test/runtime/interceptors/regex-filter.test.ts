import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { RegexFilterInterceptor } from "../../../runtime/interceptors/regex-filter/regex-filter-interceptor";
import { regexFilterInterceptorSpec } from "../../../runtime/interceptors/regex-filter/spec";
import { bodies, event, numberedEvents } from "../../helpers/events";
import { createPrng } from "../../helpers/prng";
import { configOf } from "../../helpers/spec-config";

function filter(regex: string, exclude_events = false): RegexFilterInterceptor {
  return new RegexFilterInterceptor("f", configOf(regexFilterInterceptorSpec, { regex, exclude_events }));
}

const lines = (): FlowEvent[] => ["GET /a 200", "ERROR db down", "GET /b 500", "error: lower", "WARN slow", "ERROR again"].map((b) => event(b));

describe("regex_filter interceptor", () => {
  it("keeps only the events whose body contains a match, in order, in the same array", () => {
    const interceptor = filter("/ERROR/");
    const events = lines();
    const out = interceptor.intercept(events);
    expect(out).toBe(events);
    expect(bodies(out)).toEqual(["ERROR db down", "ERROR again"]);
    expect(events.length).toBe(2);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 6, EventsDroppedCount: 4 });
  });

  it("drops the matching events with exclude_events, keeping the others in order", () => {
    const interceptor = filter("/error/i", true);
    expect(bodies(interceptor.intercept(lines()))).toEqual(["GET /a 200", "GET /b 500", "WARN slow"]);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 6, EventsDroppedCount: 3 });
  });

  it("keeps the event objects themselves, headers included", () => {
    const events = [event("drop me"), event("keep 1", { n: "1" }), event("drop"), event("keep 2", { n: "2" })];
    const [keep1, keep2] = [events[1], events[3]];
    const out = filter("/keep/").intercept(events);
    expect(out[0]).toBe(keep1);
    expect(out[1]).toBe(keep2);
    expect(out.map((e) => e.headers)).toEqual([{ n: "1" }, { n: "2" }]);
  });

  it("matches bodies as UTF-8, and tolerates bytes that are not UTF-8", () => {
    const events = [event("café ouvert"), event("cafe"), event("日本語のログ"), event(Buffer.from([0xff, 0xfe, 0x63, 0x61, 0x66, 0xc3, 0xa9])), event("🎉 party")];
    expect(bodies(filter("/café|日本|🎉/u").intercept(events))).toEqual(["café ouvert", "日本語のログ", "\ufffd\ufffdcafé", "🎉 party"]);
  });

  it("matches anywhere unless anchored", () => {
    expect(bodies(filter("/^GET/").intercept(lines()))).toEqual(["GET /a 200", "GET /b 500"]);
    expect(bodies(filter("/\\d00$/").intercept(lines()))).toEqual(["GET /a 200", "GET /b 500"]);
    expect(bodies(filter("/ b/").intercept([event("a b"), event("ab")]))).toEqual(["a b"]);
  });

  it("gives every event the same answer with a global regex (no lastIndex carried over)", () => {
    const events = numberedEvents(20, "match-");
    expect(filter("/match/g").intercept(events).length).toBe(20);
  });

  it("drops everything or nothing, and returns an empty batch as is", () => {
    expect(filter("/nothing matches this/").intercept(lines())).toEqual([]);
    expect(filter("/./").intercept(lines()).length).toBe(6);
    const interceptor = filter("/x/");
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 0, EventsDroppedCount: 0 });
  });

  it("agrees with a per-event filter on random batches (seed 4242)", () => {
    const prng = createPrng(4242);
    const interceptor = filter("/[aeiou]{2}/");
    let dropped = 0;
    let seen = 0;
    for (let round = 0; round < 200; round++) {
      const events = Array.from({ length: prng.int(0, 30) }, (_, i) => event(`${i}:${"abcdeiou".slice(prng.int(0, 7), prng.int(0, 8))}`));
      const expected = events.filter((e) => /[aeiou]{2}/.test(e.body.toString("utf8")));
      seen += events.length;
      dropped += events.length - expected.length;
      expect(interceptor.intercept(events)).toEqual(expected);
    }
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: seen, EventsDroppedCount: dropped });
  });

  it("reports an invalid regex", () => {
    expect(() => filter("/[a-/")).toThrow(UserFacingError);
    expect(() => filter("/[a-/")).toThrow(/regex of interceptor `f` is not a valid regular expression/);
  });
});
