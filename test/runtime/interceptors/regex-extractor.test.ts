import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { RegexExtractorInterceptor } from "../../../runtime/interceptors/regex-extractor/regex-extractor-interceptor";
import { regexExtractorInterceptorSpec } from "../../../runtime/interceptors/regex-extractor/spec";
import { bodies, event } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

function extractor(regex: string): RegexExtractorInterceptor {
  return new RegexExtractorInterceptor("x", configOf(regexExtractorInterceptorSpec, { regex }));
}

describe("regex_extractor interceptor", () => {
  it("sets one header per named group of the first match", () => {
    const interceptor = extractor("/(?<method>[A-Z]+) (?<path>\\S+) (?<status>\\d{3})/");
    const events = [event("GET /index.html 200 512"), event("POST /api 503 0 GET /x 200")];
    expect(interceptor.intercept(events)).toBe(events);
    expect(events.map((e) => e.headers)).toEqual([
      { method: "GET", path: "/index.html", status: "200" },
      { method: "POST", path: "/api", status: "503" },
    ]);
  });

  it("passes events without a match unchanged, in order, and drops none", () => {
    const interceptor = extractor("/status=(?<status>\\d+)/");
    const events = [event("status=200", { a: "1" }), event("no status here", { a: "2" }), event("status=404")];
    const out = interceptor.intercept(events);
    expect(bodies(out)).toEqual(["status=200", "no status here", "status=404"]);
    expect(out.map((e) => e.headers)).toEqual([{ a: "1", status: "200" }, { a: "2" }, { status: "404" }]);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 3, EventsDroppedCount: 0 });
  });

  it("overwrites existing headers, and leaves a header alone when its group took no part in the match", () => {
    const interceptor = extractor("/level=(?<level>\\w+)(?: user=(?<user>\\w+))?/");
    const events = [event("level=warn user=ana", { level: "old", user: "old" }), event("level=info", { user: "kept" })];
    expect(interceptor.intercept(events).map((e) => e.headers)).toEqual([
      { level: "warn", user: "ana" },
      { user: "kept", level: "info" },
    ]);
  });

  it("reads bodies as UTF-8 and captures non-ASCII text; other bytes do not break it", () => {
    const interceptor = extractor("/city=(?<city>\\p{L}+) mood=(?<mood>\\p{Extended_Pictographic})/u");
    const odd = Buffer.concat([Buffer.from([0xff]), Buffer.from("city=Zürich mood=🎉", "utf8")]);
    const events = [event("city=東京 mood=😀"), event(odd)];
    const out = interceptor.intercept(events);
    expect(out.map((e) => e.headers)).toEqual([
      { city: "東京", mood: "😀" },
      { city: "Zürich", mood: "🎉" },
    ]);
    expect(out[1]?.body).toBe(odd);
  });

  it("gives every event a fresh search with a global regex", () => {
    const interceptor = extractor("/n=(?<n>\\d)/g");
    const events = [event("n=1"), event("n=2"), event("n=3")];
    expect(interceptor.intercept(events).map((e) => e.headers.n)).toEqual(["1", "2", "3"]);
  });

  it("returns an empty batch as is", () => {
    const interceptor = extractor("/(?<a>a)/");
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(interceptor.counter.EventsInterceptedCount).toBe(0);
  });

  it("refuses a regex without named groups, an invalid one, and a group named __proto__", () => {
    expect(() => extractor("/(\\d+)/")).toThrow(UserFacingError);
    expect(() => extractor("/(\\d+)/")).toThrow("regex of interceptor `x` has no named capture group");
    expect(() => extractor("/(?<a>/")).toThrow(/not a valid regular expression/);
    expect(() => extractor("/(?<__proto__>x)/")).toThrow(/cannot be `__proto__`/);
    // The placeholder of an env() value that the agent is about to report is accepted.
    expect(() => extractor("")).not.toThrow();
  });
});
