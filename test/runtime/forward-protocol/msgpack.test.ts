import { decode, encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { MessageFramer } from "../../../runtime/forward-protocol/message-framer";
import { ExtValue, MsgpackReader, toJson } from "../../../runtime/forward-protocol/msgpack-reader";
import { MsgpackWriter } from "../../../runtime/forward-protocol/msgpack-writer";
import { ProtocolError } from "../../../runtime/forward-protocol/protocol-error";
import { createPrng } from "../../helpers/prng";

/** Plain values of every msgpack type an independent encoder (@msgpack/msgpack) writes. */
function sampleValues(): unknown[] {
  return [
    null,
    true,
    false,
    0,
    127,
    128,
    255,
    256,
    65_535,
    65_536,
    2 ** 32 - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    -1,
    -32,
    -33,
    -128,
    -129,
    -32_768,
    -32_769,
    -(2 ** 31),
    -(2 ** 31) - 1,
    1.5,
    -0.25,
    "",
    "a",
    "x".repeat(31),
    "x".repeat(32),
    "é".repeat(200),
    "y".repeat(70_000),
    new Uint8Array([1, 2, 3]),
    new Uint8Array(300),
    new Uint8Array(70_000),
    [],
    [1, "two", [3]],
    Array.from({ length: 20 }, (_, i) => i),
    Array.from({ length: 70_000 }, (_, i) => i % 3),
    {},
    { a: 1, b: { c: [null, true] } },
    Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
  ];
}

/** What our reader returns for what @msgpack/msgpack decodes (binary data as Buffer rather than Uint8Array). */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

describe("MsgpackReader", () => {
  it.each(sampleValues().map((value, i) => [i, value] as const))("reads value %i as @msgpack/msgpack wrote it", (_i, value) => {
    const bytes = Buffer.from(encode(value));
    const reader = new MsgpackReader(bytes);
    const read = reader.readValue("value", 0);
    expect(reader.atEnd).toBe(true);
    expect({ ...{ v: normalise(read) } }).toEqual({ v: normalise(decode(bytes)) });
  });

  it("reads 64-bit integers beyond 2^53 exactly, as bigints", () => {
    const bytes = Buffer.from(encode(2n ** 63n - 1n, { useBigInt64: true }));
    expect(new MsgpackReader(bytes).readValue("value", 0)).toBe(2n ** 63n - 1n);
  });

  it("reads an EventTime (fixext 8 and ext 8) into seconds and nanoseconds", () => {
    for (const bytes of [
      Buffer.from([0xd7, 0x00, 0x5f, 0x5e, 0x10, 0x00, 0x07, 0x5b, 0xcd, 0x15]),
      Buffer.from([0xc7, 0x08, 0x00, 0x5f, 0x5e, 0x10, 0x00, 0x07, 0x5b, 0xcd, 0x15]),
    ]) {
      const reader = new MsgpackReader(bytes);
      reader.readTime("time");
      expect([reader.seconds, reader.nanoseconds, reader.atEnd]).toEqual([0x5f5e1000, 123_456_789, true]);
    }
  });

  it("refuses wrong types, truncated values and announced lengths the data cannot hold", () => {
    const cases: [Buffer, (reader: MsgpackReader) => unknown, RegExp][] = [
      [Buffer.from(encode("text")), (r) => r.readArrayHeader("entries"), /entries: expected an array, got a string/],
      [Buffer.from(encode([1])), (r) => r.readString("tag"), /tag: expected a string, got an array/],
      [Buffer.from(encode("t")), (r) => r.readTime("time"), /time: expected an EventTime or an integer, got a string/],
      [Buffer.from([0xd7, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]), (r) => r.readTime("time"), /extension type 1/],
      [Buffer.from([0xd7, 0x00, 0, 0, 0, 1, 0x3b, 0x9a, 0xca, 0x00]), (r) => r.readTime("time"), /nanoseconds 1000000000 out of range/],
      [Buffer.from(encode(-5)), (r) => r.readTime("time"), /time -5 out of range/],
      [Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), (r) => r.readArrayHeader("entries"), /4294967295 elements announced, only 1 bytes left/],
      [Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff, 0x41]), (r) => r.readString("tag"), /2147483647 bytes announced/],
      [Buffer.from([0xcd, 0x01]), (r) => r.readValue("size", 0), /ends inside a value/],
      [Buffer.from([0xc1]), (r) => r.readValue("value", 0), /invalid type byte 0xc1/],
      [Buffer.from([]), (r) => r.readValue("value", 0), /the data ends before it/],
    ];
    for (const [bytes, read, message] of cases) {
      expect(() => read(new MsgpackReader(bytes))).toThrow(ProtocolError);
      expect(() => read(new MsgpackReader(bytes))).toThrow(message);
    }
  });

  it("refuses values nested deeper than 64 levels instead of recursing without bound", () => {
    let value: unknown = 1;
    for (let i = 0; i < 70; i++) value = [value];
    expect(() => new MsgpackReader(Buffer.from(encode(value))).readValue("record", 0)).toThrow(/nested deeper than 64 levels/);
  });

  it("writes map keys that are not strings as their JSON, and other extension types as base64 in JSON", () => {
    const bytes = Buffer.from([0x82, 0x01, 0xa1, 0x61, 0xc3, 0xd4, 0x05, 0x07]);
    const value = new MsgpackReader(bytes).readValue("map", 0);
    expect(Object.keys(value as object)).toEqual(["1", "true"]);
    expect((value as Record<string, unknown>)["true"]).toBeInstanceOf(ExtValue);
    expect(toJson(value as never)).toBe('{"1":"a","true":"Bw=="}');
  });
});

describe("MsgpackWriter", () => {
  it("writes what @msgpack/msgpack reads back, in the smallest formats as it does", () => {
    for (const text of ["", "a", "x".repeat(31), "x".repeat(32), "é".repeat(15), "é".repeat(16), "€".repeat(100), "y".repeat(70_000), "😀".repeat(20)]) {
      const writer = new MsgpackWriter(16);
      writer.str(text);
      expect(writer.take()).toEqual(Buffer.from(encode(text)));
    }
    for (const count of [0, 15, 16, 65_535, 65_536]) {
      const header = count < 16 ? 1 : count < 65_536 ? 3 : 5;
      const writer = new MsgpackWriter(16);
      writer.arrayHeader(count);
      expect(writer.take()).toEqual(Buffer.from(encode(new Array(count).fill(0))).subarray(0, header));
      writer.mapHeader(count);
      expect(writer.take()).toEqual(Buffer.from(encode(Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), 0])))).subarray(0, header));
      writer.uint(count);
      expect(writer.take()).toEqual(Buffer.from(encode(count)));
    }
    const writer = new MsgpackWriter(16);
    writer.bin(Buffer.alloc(300, 7));
    writer.text(Buffer.from("plain"));
    writer.text(Buffer.from([0xff, 0xfe]));
    writer.eventTime(1_700_000_000, 999_999_999);
    const values = [...(function* () {
      const reader = new MsgpackReader(writer.take());
      while (!reader.atEnd) yield reader.readValue("v", 0);
    })()];
    expect(values).toEqual([Buffer.alloc(300, 7), "plain", Buffer.from([0xff, 0xfe]), 1_700_000_000 + 0.999_999_999]);
  });
});

describe("MessageFramer", () => {
  const messages = [encode(["tag.a", 1_700_000_000, { message: "hello" }, { chunk: "abc" }]), encode(null), encode(["tag.b", [[1, { a: "x".repeat(300) }]]]), encode(["t", new Uint8Array(70_000).fill(9), { size: 1 }])].map((m) => Buffer.from(m));
  const stream = Buffer.concat(messages);

  it("cuts a stream into the same messages however it is split into reads", () => {
    const random = createPrng(7);
    for (let trial = 0; trial < 60; trial++) {
      const framer = new MessageFramer(1_048_576);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = trial === 0 ? 1 : 1 + Math.floor(random.next() * (trial < 30 ? 64 : 100_000));
        framer.push(stream.subarray(at, at + size));
        at += size;
        for (let message = framer.next(); message !== undefined; message = framer.next()) got.push(Buffer.from(message));
      }
      // Compared as lengths and bytes: deep equality of 70 kB buffers element by element is slow.
      expect(got.map((message) => message.length)).toEqual(messages.map((message) => message.length));
      expect(Buffer.concat(got).equals(stream)).toBe(true);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it("returns a message that arrived in one read as a view into that read (no copy)", () => {
    const framer = new MessageFramer(1_048_576);
    const read = Buffer.concat([messages[0] as Buffer, messages[1] as Buffer]);
    framer.push(read);
    const first = framer.next() as Buffer;
    expect(first.buffer).toBe(read.buffer);
    expect(framer.next()).toEqual(messages[1]);
  });

  it("refuses a message larger than the limit as soon as a header announces it, without buffering it", () => {
    const huge = [Buffer.from([0x93, 0xa1, 0x74, 0xc6, 0x10, 0x00, 0x00, 0x00]), Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0x92, 0xdf, 0x7f, 0xff, 0xff, 0xff])];
    for (const bytes of huge) {
      const framer = new MessageFramer(65_536);
      framer.push(bytes);
      expect(() => framer.next()).toThrow(/message larger than max_message_size \(65536 bytes\): .*announced/);
    }
  });

  it("refuses a stream that goes on past the limit without ending a message", () => {
    const framer = new MessageFramer(2_048);
    framer.push(Buffer.from([0xdc, 0xff, 0xff])); // an array of 65,535 elements: 2,048 bytes cannot hold it…
    expect(() => framer.next()).toThrow(/65535 elements are announced/);
    const nested = new MessageFramer(2_048);
    nested.push(Buffer.alloc(60, 0x91)); // 60 nested arrays of one element: within the nesting limit
    expect(nested.next()).toBeUndefined();
    nested.push(Buffer.alloc(2_000, 0x00)); // …no: one value closes them all; then a stream of small values
    expect(nested.next()?.length).toBe(61);
  });

  it("refuses malformed msgpack and deep nesting", () => {
    const framer = new MessageFramer(1_024);
    framer.push(Buffer.from([0xc1]));
    expect(() => framer.next()).toThrow(/invalid type byte 0xc1/);
    const deep = new MessageFramer(1_024);
    deep.push(Buffer.alloc(100, 0x91));
    expect(() => deep.next()).toThrow(/nested deeper than 64 levels/);
  });
});
