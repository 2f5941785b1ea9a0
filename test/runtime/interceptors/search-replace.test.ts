import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { SearchReplaceInterceptor } from "../../../runtime/interceptors/search-replace/search-replace-interceptor";
import { searchReplaceInterceptorSpec } from "../../../runtime/interceptors/search-replace/spec";
import { bodies, event } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

function searchReplace(search_pattern: string, replace_string?: string): SearchReplaceInterceptor {
  return new SearchReplaceInterceptor("sr", configOf(searchReplaceInterceptorSpec, replace_string === undefined ? { search_pattern } : { search_pattern, replace_string }));
}

describe("search_replace interceptor", () => {
  it("replaces every match in the body", () => {
    const events = [event("user=ana pass=1 user=bob"), event("nothing")];
    const out = searchReplace("/user=\\w+/", "user=***").intercept(events);
    expect(out).toBe(events);
    expect(bodies(out)).toEqual(["user=*** pass=1 user=***", "nothing"]);
  });

  it("deletes the matches by default (replace_string = \"\")", () => {
    expect(bodies(searchReplace("/\\s+$/").intercept([event("trailing   "), event("none")]))).toEqual(["trailing", "none"]);
  });

  it("supports $1, $<name>, $& and $$ in the replacement", () => {
    const out = searchReplace("/(?<k>\\w+)=(\\d+)/", "$2:$<k> [$&] $$").intercept([event("a=1 b=22")]);
    expect(bodies(out)).toEqual(["1:a [a=1] $ 22:b [b=22] $"]);
  });

  it("keeps the user's flags (here: case-insensitive)", () => {
    expect(bodies(searchReplace("/secret/i", "x").intercept([event("Secret SECRET secret")]))).toEqual(["x x x"]);
  });

  it("works on UTF-8 text and writes changed bodies back as UTF-8", () => {
    const out = searchReplace("/ü/u", "ue").intercept([event("Zürich Müller"), event("日本語: 🎉🎉")]);
    expect(bodies(out)).toEqual(["Zuerich Mueller", "日本語: 🎉🎉"]);
    const emoji = searchReplace("/🎉/u", "★").intercept([event("a🎉b🎉")]);
    expect(emoji[0]?.body).toEqual(Buffer.from("a★b★", "utf8"));
  });

  it("leaves a body without a match byte for byte, even when it is not valid UTF-8", () => {
    const raw = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x61]);
    const events = [event(raw), event("x")];
    const out = searchReplace("/zzz/", "y").intercept(events);
    expect(out[0]?.body).toBe(raw);
    expect(out[1]?.body).toBe(events[1]?.body);
  });

  it("keeps headers and order, drops nothing, counts events; an empty batch comes back as is", () => {
    const interceptor = searchReplace("/a/", "b");
    const out = interceptor.intercept([event("a1", { h: "1" }), event("2"), event("a3", { h: "3" })]);
    expect(bodies(out)).toEqual(["b1", "2", "b3"]);
    expect(out.map((e) => e.headers)).toEqual([{ h: "1" }, {}, { h: "3" }]);
    const empty: FlowEvent[] = [];
    expect(interceptor.intercept(empty)).toBe(empty);
    expect(interceptor.counter).toEqual({ EventsInterceptedCount: 3, EventsDroppedCount: 0 });
  });

  it("reports an invalid search_pattern", () => {
    expect(() => searchReplace("/a{2,1}/")).toThrow(UserFacingError);
    expect(() => searchReplace("/a{2,1}/")).toThrow(/search_pattern of interceptor `sr` is not a valid regular expression/);
  });
});
