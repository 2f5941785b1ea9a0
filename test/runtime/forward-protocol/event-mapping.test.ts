import { decode, decodeMulti, encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { FlowEvent } from "../../../runtime/core/event";
import { EntryDecoder, EntryEncoder } from "../../../runtime/forward-protocol/event-mapping";
import { MsgpackWriter } from "../../../runtime/forward-protocol/msgpack-writer";
import { EventTime, eventTimeCodec } from "../../helpers/forward-raw-client";
import { MODE_COMPRESSED_PACKED_FORWARD, MODE_FORWARD, MODE_HEARTBEAT, MODE_MESSAGE, MODE_PACKED_FORWARD, readTransportMessage, TransportMessage } from "../../../runtime/forward-protocol/transport-message";

const codec = eventTimeCodec;
const pack = (value: unknown): Buffer => Buffer.from(encode(value, { extensionCodec: codec }));

function read(value: unknown, now = 1_234_567): { info: TransportMessage; events: FlowEvent[] } {
  const info = new TransportMessage();
  const events: FlowEvent[] = [];
  readTransportMessage(pack(value), new EntryDecoder("tag", () => now), info, events);
  return { info, events };
}

const view = (events: readonly FlowEvent[]): { headers: Record<string, string>; body: string }[] => events.map((e) => ({ headers: { ...e.headers }, body: e.body.toString() }));

describe("a Forward record becomes an event", () => {
  it("takes the body from `message`, every other field as a header, the tag and the time as headers", () => {
    const { events } = read(["app.web", new EventTime(1_700_000_000, 123_456_789), { message: "GET /", host: "h1", status: 200, ok: true, ratio: 0.5 }]);
    expect(view(events)).toEqual([
      {
        body: "GET /",
        headers: { host: "h1", status: "200", ok: "true", ratio: "0.5", tag: "app.web", timestamp: "1700000000123", timestamp_ns: "1700000000123456789" },
      },
    ]);
  });

  it("falls back to `log` (Docker, Fluent Bit's container logs), else the body is the whole record as JSON", () => {
    const { events } = read([
      "docker.x",
      [
        [1_700_000_000, { log: "line from a container\n", container_id: "abc", source: "stdout" }],
        [1_700_000_001, { message: "m", log: "kept as a header" }],
        [1_700_000_002, { level: "info", nested: { a: [1, null, "x"] }, n: null }],
      ],
    ]);
    expect(view(events)).toEqual([
      { body: "line from a container\n", headers: { container_id: "abc", source: "stdout", tag: "docker.x", timestamp: "1700000000000" } },
      { body: "m", headers: { log: "kept as a header", tag: "docker.x", timestamp: "1700000001000" } },
      { body: '{"level":"info","nested":{"a":[1,null,"x"]},"n":null}', headers: { level: "info", nested: '{"a":[1,null,"x"]}', tag: "docker.x", timestamp: "1700000002000" } },
    ]);
  });

  it("keeps binary bodies byte for byte and writes a non-text `message` as JSON", () => {
    const { events } = read(["t", [[1, { message: new Uint8Array([0, 0xff, 0x80]) }], [1, { message: { a: 1 } }], [1, { message: 42 }]]]);
    expect(events.map((e) => [...e.body])).toEqual([[0, 0xff, 0x80], [...Buffer.from('{"a":1}')], [...Buffer.from("42")]]);
  });

  it("gives entries without a time (nil or 0, as Fluentd reads them) the time the message arrived, and reads float seconds", () => {
    const { events } = read(["t", [[null, { message: "a" }], [0, { message: "b" }], [1_700_000_000.25, { message: "c" }]]], 1_700_000_999_777);
    expect(events.map((e) => e.headers)).toEqual([
      { tag: "t", timestamp: "1700000999777" },
      { tag: "t", timestamp: "1700000999777" },
      { tag: "t", timestamp: "1700000000250" },
    ]);
  });

  it("lets the tag and the time win over record fields of the same names", () => {
    const { events } = read(["real", 1_700_000_000, { message: "x", tag: "fake", timestamp: "2024-01-01T00:00:00Z" }]);
    expect(events[0]?.headers).toEqual({ tag: "real", timestamp: "1700000000000" });
  });

  it("reads every carrier mode and the options, ignoring unknown ones", () => {
    const entries = Buffer.concat([pack([1, { message: "a" }]), pack([2, { message: "b" }])]);
    expect(read(null).info.mode).toBe(MODE_HEARTBEAT);
    const message = read(["t", 1, { message: "m" }, { chunk: "c1", future: [1, 2] }]);
    expect([message.info.mode, message.info.chunk, message.events.length]).toEqual([MODE_MESSAGE, "c1", 1]);
    const forward = read(["t", [[1, { message: "a" }]], { chunk: "c2", size: 1 }]);
    expect([forward.info.mode, forward.info.chunk, forward.events.length]).toEqual([MODE_FORWARD, "c2", 1]);
    // PackedForward as `bin` (the spec's SHOULD) and as `str` (what Fluentd's out_forward sends).
    const packed = read(["t", new Uint8Array(entries), { size: 2 }]);
    expect([packed.info.mode, view(packed.events).map((e) => e.body)]).toEqual([MODE_PACKED_FORWARD, ["a", "b"]]);
    const packedStr = new TransportMessage();
    const out: FlowEvent[] = [];
    const asStr = Buffer.concat([Buffer.from([0x93, 0xa1, 0x74, 0xd9, entries.length]), entries, Buffer.from([0x80])]);
    readTransportMessage(asStr, new EntryDecoder("tag"), packedStr, out);
    expect(out.map((e) => e.body.toString())).toEqual(["a", "b"]);
    const compressed = read(["t", new Uint8Array([1, 2, 3]), { compressed: "gzip", chunk: "c3" }]);
    expect([compressed.info.mode, compressed.info.chunk, compressed.events.length]).toEqual([MODE_COMPRESSED_PACKED_FORWARD, "c3", 0]);
  });

  it("refuses wrong types anywhere, with a message that says where", () => {
    const cases: [unknown, RegExp][] = [
      [{ not: "an array" }, /expected a Forward message \(an array\), got a map/],
      [["t"], /2 to 4 elements, got 1/],
      [[42, 1, { message: "x" }], /tag: expected a string, got an integer/],
      [["t", "not a time", { message: "x" }], /packed entry: expected an array, got/],
      [["t", true, { message: "x" }], /time: expected an EventTime or an integer, got a boolean/],
      [["t", 1, "not a record"], /record: expected a map, got a string/],
      [["t", [[1, { message: "x" }], [1]]], /entry: expected an array of time and record/],
      [["t", [[1, { message: "x" }]], "not an option"], /option: expected a map, got a string/],
      [["t", [[1, { message: "x" }]], { chunk: 5 }], /option `chunk`: expected a string, got an integer/],
      [["t", new Uint8Array([0x92, 0x01]), {}], /the data ends before it/],
      [["PING", "host", "salt", "digest", "", ""], /got a handshake PING, but no handshake was asked for/],
    ];
    for (const [message, error] of cases) expect(() => read(message), JSON.stringify(message)).toThrow(error);
  });
});

describe("an event becomes a Forward entry", () => {
  function encodeEntries(events: readonly FlowEvent[], nowMs = 1_700_000_555_123): unknown[] {
    const writer = new MsgpackWriter(64);
    new EntryEncoder("tag", "flowc").encode(events, 0, events.length, nowMs, writer);
    // Decoded by an independent implementation, extension type 0 included.
    return [...decodeMulti(writer.take(), { extensionCodec: codec })];
  }

  it("writes [EventTime, record] with the body as `message` and the other headers as string fields", () => {
    const events = [new FlowEvent({ tag: "app", timestamp: "1700000000123", timestamp_ns: "1700000000123456789", host: "h1" }, Buffer.from("hello"))];
    expect(encodeEntries(events)).toEqual([[new EventTime(1_700_000_000, 123_456_789), { message: "hello", host: "h1" }]]);
  });

  it("uses `timestamp` alone when `timestamp_ns` disagrees with it (an interceptor changed it), and now without either", () => {
    const events = [
      new FlowEvent({ timestamp: "1700000001000", timestamp_ns: "1700000000123456789" }, Buffer.from("a")),
      new FlowEvent({ timestamp: "not a number" }, Buffer.from("b")),
      new FlowEvent({}, Buffer.from("c")),
    ];
    expect(encodeEntries(events)).toEqual([
      [new EventTime(1_700_000_001, 0), { message: "a" }],
      [new EventTime(1_700_000_555, 123_000_000), { message: "b", timestamp: "not a number" }],
      [new EventTime(1_700_000_555, 123_000_000), { message: "c" }],
    ]);
  });

  it("sends a body that is not UTF-8 as binary data, byte for byte", () => {
    const [entry] = encodeEntries([new FlowEvent({}, Buffer.from([0xc3, 0x28, 0x00]))]) as [[EventTime, { message: Uint8Array }]];
    expect([...entry[1].message]).toEqual([0xc3, 0x28, 0x00]);
  });

  it("survives the round trip: headers, body, tag and nanoseconds", () => {
    const original = new FlowEvent({ tag: "a.b", timestamp: "1700000000123", timestamp_ns: "1700000000123456789", "x-y": "z ü" }, Buffer.from("body ü"));
    const writer = new MsgpackWriter(64);
    writer.arrayHeader(3);
    writer.str("a.b");
    const entries = new MsgpackWriter(64);
    new EntryEncoder("tag", "flowc").encode([original], 0, 1, 0, entries);
    writer.bin(entries.take());
    writer.mapHeader(0);
    const out: FlowEvent[] = [];
    readTransportMessage(writer.take(), new EntryDecoder("tag"), new TransportMessage(), out);
    expect(view(out)).toEqual(view([original]));
    expect(decode(pack("check the codec is symmetric"))).toBe("check the codec is symmetric");
  });
});
