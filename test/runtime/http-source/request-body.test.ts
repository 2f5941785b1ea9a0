import { describe, expect, it } from "vitest";
import { RequestRefusal, bodyFormat, decodeEvents } from "../../../runtime/sources/http/request-body";
import { BearerToken } from "../../../runtime/sources/http/bearer-token";

function refusal(run: () => unknown): RequestRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestRefusal) return error;
    throw error;
  }
  throw new Error("expected a RequestRefusal");
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe("the http source's body formats", () => {
  it("reads Flume's JSON array: headers (optional) and body per element, in order", () => {
    const events = decodeEvents(json([{ headers: { host: "a", level: "ERROR" }, body: "disk full" }, { body: "héllo\nworld" }, { headers: null, body: "" }]), "json", 10);
    expect(events.map((e) => [e.headers, e.bodyText()])).toEqual([
      [{ host: "a", level: "ERROR" }, "disk full"],
      [{}, "héllo\nworld"],
      [{}, ""],
    ]);
  });

  it("reads NDJSON: one object per line, CRLF and blank lines allowed", () => {
    const events = decodeEvents(Buffer.from('{"body":"a"}\r\n\n  \n{"headers":{"k":"v"},"body":"b"}'), "ndjson", 10);
    expect(events.map((e) => [e.headers, e.bodyText()])).toEqual([
      [{}, "a"],
      [{ k: "v" }, "b"],
    ]);
  });

  it("reads text: one event per line, LF or CRLF, blank lines skipped, a last line without newline kept, bytes as sent", () => {
    const latin1 = Buffer.from([0xe9, 0x74, 0xe9]);
    const body = Buffer.concat([Buffer.from("first\r\n\nsecond\n"), latin1, Buffer.from("\n\nlast")]);
    const events = decodeEvents(body, "text", 10);
    expect(events.map((e) => e.body)).toEqual([Buffer.from("first"), Buffer.from("second"), latin1, Buffer.from("last")]);
    expect(events[0]?.headers).toEqual({});
    // Each event has its own headers object: interceptors change them in place.
    expect(events[0]?.headers).not.toBe(events[1]?.headers);
    expect(decodeEvents(Buffer.alloc(0), "text", 10)).toEqual([]);
  });

  it.each([
    ["not JSON", "json", "[{", /^the body is not valid JSON: /],
    ["empty JSON", "json", "", /^the body is empty; expected a JSON array of events$/],
    ["an object instead of an array", "json", '{"body":"x"}', /^the body is an object; expected a JSON array/],
    ["an element that is a string", "json", '["x"]', /^element \[0\] is a string; expected an object/],
    ["no body", "json", '[{"body":"ok"},{"headers":{}}]', /^element \[1\] has no "body"$/],
    ["a number body", "json", '[{"body":5}]', /^element \[0\] has a "body" that is a number; expected a string$/],
    ["headers that are a list", "json", '[{"headers":["a"],"body":"x"}]', /^element \[0\] has "headers" that are an array/],
    ["a header that is a number", "json", '[{"headers":{"n":1},"body":"x"}]', /^element \[0\] has header "n" that is a number; header values must be strings$/],
    ["a header named __proto__", "json", '[{"headers":{"__proto__":"x"},"body":"x"}]', /"__proto__"/],
    ["a bad NDJSON line", "ndjson", '{"body":"a"}\n\n{"body":', /^line 3 is not valid JSON: /],
    ["an NDJSON line without body", "ndjson", '{"body":"a"}\n{"b":1}', /^line 2 has no "body"$/],
  ] as const)("refuses %s with 400 and a message for the sender", (_, format, body, message) => {
    const error = refusal(() => decodeEvents(Buffer.from(body), format, 10));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it("refuses JSON that is not UTF-8 rather than guessing", () => {
    const error = refusal(() => decodeEvents(Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]), "json", 10));
    expect([error.status, error.message]).toEqual([400, "the body is not valid UTF-8"]);
  });

  it.each(["json", "ndjson", "text"] as const)("refuses more events than batch_size with 413 naming the limit (%s)", (format) => {
    const bodies = Array.from({ length: 4 }, (_, i) => `e${i}`);
    const body =
      format === "json" ? json(bodies.map((b) => ({ body: b }))) : Buffer.from(format === "ndjson" ? bodies.map((b) => JSON.stringify({ body: b })).join("\n") : bodies.join("\n"));
    expect(decodeEvents(body, format, 4)).toHaveLength(4);
    const error = refusal(() => decodeEvents(body, format, 3));
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/at most 3 \(the source's batch_size\) are accepted per request/);
  });

  it("picks the format from Content-Type with auto, and ignores it otherwise", () => {
    expect(bodyFormat("auto", "application/json")).toBe("json");
    expect(bodyFormat("auto", "Application/JSON; charset=UTF-8")).toBe("json");
    expect(bodyFormat("auto", "application/x-ndjson")).toBe("ndjson");
    expect(bodyFormat("auto", "application/jsonl")).toBe("ndjson");
    expect(bodyFormat("auto", "text/plain;charset=utf-8")).toBe("text");
    expect(bodyFormat("auto", undefined)).toBe("text");
    expect(bodyFormat("text", "application/json")).toBe("text");
    expect(bodyFormat("json", "application/x-www-form-urlencoded")).toBe("json");
  });

  it("refuses unknown types with 415, with a hint for curl's default", () => {
    const form = refusal(() => bodyFormat("auto", "application/x-www-form-urlencoded"));
    expect(form.status).toBe(415);
    expect(form.message).toContain("curl -d sends this type");
    expect(refusal(() => bodyFormat("auto", "image/png")).message).toMatch(/^Content-Type image\/png is not accepted; send application\/json/);
    expect(refusal(() => bodyFormat("json", "application/json; charset=UTF-16")).message).toBe("charset UTF-16 is not accepted: send UTF-8");
  });
});

describe("the http source's bearer token check", () => {
  const token = new BearerToken("s3cret-token");

  it("accepts the token (the scheme in any case) and tells a missing token from a wrong one", () => {
    expect(token.check("Bearer s3cret-token")).toBe("ok");
    expect(token.check("bearer s3cret-token ")).toBe("ok");
    expect(token.check(undefined)).toBe("missing");
    expect(token.check("Basic dXNlcjpwYXNz")).toBe("missing");
    expect(token.check("Bearer s3cret-toke")).toBe("invalid");
    expect(token.check("Bearer s3cret-token-and-more")).toBe("invalid");
    expect(token.check("Bearer ")).toBe("missing");
  });
});
