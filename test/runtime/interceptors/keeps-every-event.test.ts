import { describe, expect, it } from "vitest";
import type { Interceptor } from "../../../runtime/core/component";
import { HostInterceptor } from "../../../runtime/interceptors/host/host-interceptor";
import { hostInterceptorSpec } from "../../../runtime/interceptors/host/spec";
import { RegexExtractorInterceptor } from "../../../runtime/interceptors/regex-extractor/regex-extractor-interceptor";
import { regexExtractorInterceptorSpec } from "../../../runtime/interceptors/regex-extractor/spec";
import { RegexFilterInterceptor } from "../../../runtime/interceptors/regex-filter/regex-filter-interceptor";
import { regexFilterInterceptorSpec } from "../../../runtime/interceptors/regex-filter/spec";
import { RemoveHeaderInterceptor } from "../../../runtime/interceptors/remove-header/remove-header-interceptor";
import { removeHeaderInterceptorSpec } from "../../../runtime/interceptors/remove-header/spec";
import { SearchReplaceInterceptor } from "../../../runtime/interceptors/search-replace/search-replace-interceptor";
import { searchReplaceInterceptorSpec } from "../../../runtime/interceptors/search-replace/spec";
import { StaticInterceptor } from "../../../runtime/interceptors/static/static-interceptor";
import { staticInterceptorSpec } from "../../../runtime/interceptors/static/spec";
import { TimestampInterceptor } from "../../../runtime/interceptors/timestamp/timestamp-interceptor";
import { timestampInterceptorSpec } from "../../../runtime/interceptors/timestamp/spec";
import { UuidInterceptor } from "../../../runtime/interceptors/uuid/uuid-interceptor";
import { uuidInterceptorSpec } from "../../../runtime/interceptors/uuid/spec";
import { event } from "../../helpers/events";
import { configOf } from "../../helpers/spec-config";

/**
 * The chain skips its copy for interceptors that say they keep every event (see InterceptorChain), so
 * that promise is checked here for each built-in one, on bodies that match and bodies that don't.
 */
describe("keepsEveryEvent", () => {
  const inPlace: Interceptor[] = [
    new HostInterceptor("host", configOf(hostInterceptorSpec)),
    new RegexExtractorInterceptor("extract", configOf(regexExtractorInterceptorSpec, { regex: "/level=(?<level>[A-Z]+)/" })),
    new RemoveHeaderInterceptor("rm", configOf(removeHeaderInterceptorSpec, { with_name: "drop_me" })),
    new SearchReplaceInterceptor("sr", configOf(searchReplaceInterceptorSpec, { search_pattern: "/secret=\\S+/", replace_string: "secret=***" })),
    new StaticInterceptor("static", configOf(staticInterceptorSpec, { key: "dc", value: "eu-1" })),
    new TimestampInterceptor("ts", configOf(timestampInterceptorSpec)),
    new UuidInterceptor("uuid", configOf(uuidInterceptorSpec)),
  ];

  for (const interceptor of inPlace) {
    it(`${interceptor.name} returns the array it was given, whole and in order`, () => {
      expect(interceptor.keepsEveryEvent).toBe(true);
      const events = [event("level=ERROR secret=x"), event("plain"), event(""), event("level=INFO", { drop_me: "1" })];
      const before = [...events];
      expect(interceptor.intercept(events)).toBe(events);
      expect(events).toEqual(before);
    });
  }

  it("is not claimed by regex_filter, which drops events", () => {
    const filter: Interceptor = new RegexFilterInterceptor("f", configOf(regexFilterInterceptorSpec, { regex: "/x/" }));
    expect(filter.keepsEveryEvent).not.toBe(true);
  });
});
