import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { recordsToEvents, type RecordHeaderNames } from "../../../runtime/sources/kafka/record-events";

const NAMES: RecordHeaderNames = { topic: "topic", partition: "partition", offset: "offset", key: "key", timestamp: "timestamp" };

function record(offset: number, value: string | null, extra: Partial<KafkaMessage> = {}): KafkaMessage {
  return { key: null, value: value === null ? null : Buffer.from(value), timestamp: "1700000000000", attributes: 0, offset: String(offset), headers: {}, ...extra } as KafkaMessage;
}

describe("kafka records to events", () => {
  it("takes the slice asked for, with the value as body and the metadata as headers", () => {
    const records = [record(10, "a"), record(11, "bb", { key: Buffer.from("k") }), record(12, "ccc")];
    const events = recordsToEvents(records, 1, 2, "logs", 3, NAMES);
    expect(events.map((e) => e.bodyText())).toEqual(["bb", "ccc"]);
    expect(events[0]?.headers).toEqual({ topic: "logs", partition: "3", offset: "11", key: "k", timestamp: "1700000000000" });
    expect(events[1]?.headers).not.toHaveProperty("key");
  });

  it("copies the bodies out of the fetch buffer, so queued events do not keep whole responses alive", () => {
    const response = Buffer.from("xxhelloyy");
    const events = recordsToEvents([record(0, null, { value: response.subarray(2, 7) })], 0, 1, "t", 0, NAMES);
    response.fill(0);
    expect(events[0]?.bodyText()).toBe("hello");
    expect(events[0]?.body.buffer).not.toBe(response.buffer);
  });

  it("turns record headers into headers (the last of repeated ones), and lets the source's own win", () => {
    const headers = { app: Buffer.from("web"), env: "prod", multi: [Buffer.from("one"), Buffer.from("two")], empty: [], topic: "spoofed", gone: undefined };
    const [event] = recordsToEvents([record(5, "x", { headers })], 0, 1, "real", 0, NAMES);
    expect(event?.headers).toEqual({ app: "web", env: "prod", multi: "two", topic: "real", partition: "0", offset: "5", timestamp: "1700000000000" });
  });

  it("sets no header for an empty name, and none for a record without timestamp", () => {
    const names: RecordHeaderNames = { topic: "", partition: "", offset: "o", key: "", timestamp: "ts" };
    const [event] = recordsToEvents([record(7, "x", { key: Buffer.from("k"), timestamp: "-1", headers: { topic: "kept" } })], 0, 1, "t", 1, names);
    expect(event?.headers).toEqual({ topic: "kept", o: "7" });
  });

  it("makes a null value (a tombstone) an empty body", () => {
    const [event] = recordsToEvents([record(0, null)], 0, 1, "t", 0, NAMES);
    expect(event?.body.length).toBe(0);
  });
});
