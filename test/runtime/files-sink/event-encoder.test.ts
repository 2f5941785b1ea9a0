import { describe, expect, it } from "vitest";
import { bodyString, EventEncoder, jsonLine, surrogateEscaped } from "../../../runtime/sinks/file-output/event-encoder";
import { event } from "../../helpers/events";

/** Undoes the surrogate escape: what `json.loads(line)["body"].encode("utf-8", "surrogateescape")` does in Python. */
function unescapeBody(text: string): Buffer {
  const parts: Buffer[] = [];
  let run = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xdc80 && code <= 0xdcff) {
      parts.push(Buffer.from(run, "utf8"), Buffer.from([code - 0xdc00]));
      run = "";
    } else run += char;
  }
  parts.push(Buffer.from(run, "utf8"));
  return Buffer.concat(parts);
}

describe("event encoding", () => {
  it("writes text as each body and a newline, byte for byte", () => {
    const encoder = new EventEncoder("text");
    const events = [event("a"), event(Buffer.from([0x00, 0xff])), event("")];
    expect(encoder.encode(events, 0, 3, Infinity, Infinity, true, false)).toBe(3);
    expect(encoder.bytes()).toEqual(Buffer.from([0x61, 0x0a, 0x00, 0xff, 0x0a, 0x0a]));
    expect(encoder.length).toBe(6);
  });

  it("starts with a newline when asked (a file that did not end with one)", () => {
    const encoder = new EventEncoder("text");
    encoder.encode([event("a")], 0, 1, Infinity, Infinity, true, true);
    expect(encoder.bytes().toString()).toBe("\na\n");
  });

  it("stops at the event count and byte limits, but always takes the first event of an empty file", () => {
    const encoder = new EventEncoder("text");
    const events = ["aaaa", "bbbb", "cccc", "dddd"].map((body) => event(body));
    expect(encoder.encode(events, 0, 4, 2, Infinity, false, false)).toBe(2);
    expect(encoder.bytes().toString()).toBe("aaaa\nbbbb\n");
    expect(encoder.encode(events, 1, 4, Infinity, 10, false, false)).toBe(3);
    expect(encoder.bytes().toString()).toBe("bbbb\ncccc\n");
    expect(encoder.encode(events, 0, 4, Infinity, 3, false, false)).toBe(0);
    expect(encoder.encode(events, 0, 4, Infinity, 3, true, false)).toBe(1);
    expect(encoder.encode(events, 0, 4, 0, Infinity, true, false)).toBe(0);
  });

  it("grows its buffer for a large run and keeps it", () => {
    const encoder = new EventEncoder("text");
    const big = Array.from({ length: 40 }, (_, i) => event(`${i}:${"x".repeat(10_000)}`));
    expect(encoder.encode(big, 0, 40, Infinity, Infinity, true, false)).toBe(40);
    expect(encoder.length).toBe(big.reduce((sum, e) => sum + e.body.length + 1, 0));
    expect(encoder.bytes().toString().split("\n")[39]).toBe(`39:${"x".repeat(10_000)}`);
  });

  it("writes JSON lines with the headers and the body as text, read back by JSON.parse", () => {
    const encoder = new EventEncoder("json");
    const events = [event('say "hi"\n\ttab', { host: "web-1", "x-weird key": 'q"uote' }), event("日本語 ✓ 😀"), event("")];
    encoder.encode(events, 0, 3, Infinity, Infinity, true, false);
    const lines = encoder.bytes().toString("utf8").split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
    expect(lines.slice(0, 3).map((line) => JSON.parse(line))).toEqual([
      { headers: { host: "web-1", "x-weird key": 'q"uote' }, body: 'say "hi"\n\ttab' },
      { headers: {}, body: "日本語 ✓ 😀" },
      { headers: {}, body: "" },
    ]);
    expect(jsonLine(event("b", { a: "1" }))).toBe('{"headers":{"a":"1"},"body":"b"}\n');
  });

  it("counts JSON lines in bytes (UTF-8) against the size limit", () => {
    const encoder = new EventEncoder("json");
    const line = jsonLine(event("é"));
    expect(Buffer.byteLength(line)).toBe(line.length + 1);
    expect(encoder.encode([event("é"), event("é")], 0, 2, Infinity, Buffer.byteLength(line), false, false)).toBe(1);
    expect(encoder.length).toBe(Buffer.byteLength(line));
  });

  it("escapes bytes that are not UTF-8 as \\udc80-\\udcff, so the exact body can be recovered", () => {
    const bodies = [
      Buffer.from([0xff, 0x41, 0xc3]), // a stray byte, ASCII, a truncated sequence
      Buffer.from([0xc0, 0xaf]), // an overlong `/`
      Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
      Buffer.from([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
      Buffer.concat([Buffer.from("ok ü "), Buffer.from([0x80]), Buffer.from(" 😀")]),
    ];
    for (const body of bodies) {
      const line = jsonLine(event(body));
      expect(line).toMatch(/\\udc[89a-f][0-9a-f]/);
      const parsed = JSON.parse(line) as { body: string };
      expect(unescapeBody(parsed.body)).toEqual(body);
    }
    expect(jsonLine(event(Buffer.from([0x61, 0xff])))).toBe('{"headers":{},"body":"a\\udcff"}\n');
  });

  it("leaves valid UTF-8 alone (no escapes, the event's cached text)", () => {
    const valid = event("plain ü 😀");
    expect(bodyString(valid)).toBe("plain ü 😀");
    expect(surrogateEscaped(Buffer.from("plain ü 😀"))).toBe("plain ü 😀");
  });
});
