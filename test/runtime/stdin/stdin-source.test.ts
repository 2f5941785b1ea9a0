import { PassThrough, Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { stdinSourceSpec } from "../../../runtime/sources/stdin/spec";
import { StdinSource, StdinSourceCounter, type StdinSourceConfig } from "../../../runtime/sources/stdin/stdin-source";
import { takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

const sources: StdinSource[] = [];

async function rig(input: Readable, values: Partial<StdinSourceConfig> = {}) {
  const channel = memoryChannel("c", { capacity: 10_000, transaction_capacity: 1_000 });
  await channel.start();
  const processor = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
  const source = new StdinSource("in", configOf(stdinSourceSpec, values), processor, input);
  sources.push(source);
  const { log, lines } = recordingLogger();
  return { channel, source, log, lines };
}

afterEach(async () => {
  for (const source of sources.splice(0)) await withTimeout(source.stop(), 5_000, "stop()");
});

describe("stdin source", () => {
  it("reads records ending with its delimiter, keeps a last one without it, and is finished at the end", async () => {
    const input = new PassThrough();
    const { channel, source, log, lines } = await rig(input, { delimiter: "\r\n" });
    expect(await source.start(log)).toBe("stdin");
    input.write("first\r\nsec");
    input.write("ond\r");
    input.end("\nlast");
    await withTimeout(source.finished, 5_000, "finished");
    expect(bodies(takeAll(channel))).toEqual(["first", "second", "last"]);
    expect(source.counter.EventReceivedCount).toBe(3);
    expect(source.counter.EventAcceptedCount).toBe(3);
    expect(lines.join("")).toMatch(/msg="end of stdin: finished" source=in records=3/);
  });

  it("is finished at once on an empty input", async () => {
    const { source, log } = await rig(Readable.from([]));
    await source.start(log);
    await withTimeout(source.finished, 5_000, "finished");
    expect(source.counter.EventReceivedCount).toBe(0);
  });

  it("on stop, hands over what it read and discards an unfinished record, with a warning", async () => {
    const input = new PassThrough();
    const { channel, source, log, lines } = await rig(input);
    await source.start(log);
    input.write("complete\nhalf a rec");
    await waitFor("the complete record", () => channel.size() === 1, 5_000);
    await withTimeout(source.stop(), 5_000, "stop()");
    expect(bodies(takeAll(channel))).toEqual(["complete"]);
    expect(lines.join("")).toMatch(/level=warn msg="stopping in the middle of a record of stdin; it is discarded" source=in bytes=10/);
    // Stopped, not finished: the input did not end.
    expect(await isSettled(source.finished)).toBe(false);
    // Input after the stop is not read.
    input.write("late\n");
    expect(channel.size()).toBe(0);
  });

  it("treats a read error as the end of the input: what was read is delivered, the error logged and counted", async () => {
    const input = new PassThrough();
    const { channel, source, log, lines } = await rig(input);
    await source.start(log);
    input.write("before\n");
    input.destroy(Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: "EISDIR" }));
    await withTimeout(source.finished, 5_000, "finished");
    expect(bodies(takeAll(channel))).toEqual(["before"]);
    expect(source.counter.GenericProcessingFail).toBe(1);
    expect(lines.join("")).toMatch(/level=error msg="cannot read stdin; treating it as ended" source=in error="EISDIR: illegal operation on a directory, read"/);
  });

  it("cuts records longer than max_line_length and counts them", async () => {
    const input = new PassThrough();
    const { channel, source, log } = await rig(input, { max_line_length: 5 });
    await source.start(log);
    input.end("short\ntoo long\nok\n");
    await withTimeout(source.finished, 5_000, "finished");
    expect(bodies(takeAll(channel))).toEqual(["short", "too l", "ok"]);
    expect(source.counter.LineTruncatedCount).toBe(1);
  });

  it("refuses an empty delimiter with a configuration error (exit 78)", () => {
    const processor = new ReplicatingProcessor({ required: [memoryChannel("c")], optional: [], interceptors: [] });
    const make = (): StdinSource => new StdinSource("in", configOf(stdinSourceSpec, { delimiter: "" }), processor, new PassThrough());
    expect(make).toThrow(UserFacingError);
    expect(make).toThrow("source `in`: property `delimiter` is empty");
  });

  it("reports every counter attribute in the metrics catalogue", () => {
    forEachAttribute(new StdinSourceCounter(), (name) => expect(attributeMetric(name)?.on, name).toContain("SOURCE"));
  });
});
