import { readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileChannel } from "../../../runtime/channels/file/file-channel";
import type { FileChannelConfig } from "../../../runtime/channels/file/file-channel";
import { putCommitted, takeAll } from "../../helpers/channel-io";
import { bodies, numberedEvents } from "../../helpers/events";
import { recordingLogger } from "../../helpers/silent-logger";
import { createTempDir } from "../../helpers/temp-dir";
import { crashCopy, locate, openChannel, segmentFiles } from "./harness";

/**
 * Damage to the log after the last checkpoint, as a crash (torn write) or a bad disk (flipped bit) leaves
 * it: the replay keeps everything before the damage, logs the file and offset, counts it, cuts the segment
 * back to its last good record, and the channel works normally afterwards.
 */
let temp: { readonly path: string; remove(): void };
const open: FileChannel[] = [];

async function channel(dir: string, values: Partial<FileChannelConfig> = {}, log = recordingLogger()): Promise<FileChannel> {
  const ch = await openChannel(dir, values, { log: log.log });
  open.push(ch);
  return ch;
}

/** Ten committed batches b0 … b9 of five events each, then a crash: returns the crashed copy's directory. */
async function crashAfterTenBatches(values: Partial<FileChannelConfig> = {}): Promise<string> {
  const live = join(temp.path, "live");
  const ch = await channel(live, values);
  for (let b = 0; b < 10; b++) {
    putCommitted(ch, numberedEvents(5, `b${b}-`));
    await ch.whenDurable();
  }
  const crashed = join(temp.path, "crashed");
  crashCopy(live, crashed);
  return crashed;
}

function batches(from: number, to: number): string[] {
  const all: string[] = [];
  for (let b = from; b < to; b++) all.push(...bodies(numberedEvents(5, `b${b}-`)));
  return all;
}

beforeEach(() => {
  temp = createTempDir("flowc-torn-tail-");
});

afterEach(async () => {
  for (const ch of open.splice(0)) await ch.stop();
  temp.remove();
});

describe("FileChannel recovery from a damaged log", () => {
  it("keeps everything before a torn last record, cuts the segment there, and works normally after", async () => {
    const dir = await crashAfterTenBatches();
    const last = locate(dir, "b9-0");
    const recordEnd = statSync(last.file).size;
    truncateSync(last.file, recordEnd - 7); // the last record loses its final bytes

    const { log, lines } = recordingLogger();
    let ch = await channel(dir, {}, { log, lines });
    expect(ch.replayStats?.damagedRecords).toBe(1);
    expect(ch.counter.CorruptRecordCount).toBe(1);
    const warning = lines.find((line) => line.includes("torn or damaged record"));
    expect(warning).toMatch(new RegExp(`level=warn .* file=${last.file} offset=\\d+ problem="record of \\d+ bytes runs past the end of the file`));
    const cutAt = Number(/ offset=(\d+)/.exec(warning ?? "")?.[1]);
    expect(statSync(last.file).size).toBe(cutAt);
    expect(cutAt).toBeLessThan(last.offset);

    putCommitted(ch, numberedEvents(3, "new-"));
    await ch.whenDurable();
    expect(bodies(takeAll(ch))).toEqual([...batches(0, 9), "new-0", "new-1", "new-2"]);
    putCommitted(ch, numberedEvents(2, "kept-"));
    await ch.stop();

    // The next start is clean and has what was left.
    const again = recordingLogger();
    ch = await channel(dir, {}, again);
    expect(ch.replayStats?.damagedRecords).toBe(0);
    expect(ch.counter.CorruptRecordCount).toBe(0);
    expect(again.lines.join("")).not.toContain("torn or damaged record");
    expect(bodies(takeAll(ch))).toEqual(["kept-0", "kept-1"]);
  });

  it("ends the replay of a segment at a record whose checksum does not match", async () => {
    const dir = await crashAfterTenBatches();
    const { file, offset } = locate(dir, "b6-2");
    const data = readFileSync(file);
    data[offset] = "B".charCodeAt(0); // "b6-2" becomes "B6-2": same length, wrong checksum
    writeFileSync(file, data);

    const { log, lines } = recordingLogger();
    let ch = await channel(dir, {}, { log, lines });
    expect(ch.counter.CorruptRecordCount).toBe(1);
    expect(lines.join("")).toMatch(new RegExp(`msg="torn or damaged record.*file=${file} offset=\\d+ problem="checksum mismatch"`));
    expect(bodies(takeAll(ch))).toEqual(batches(0, 6));

    putCommitted(ch, numberedEvents(2, "new-"));
    await ch.stop();
    ch = await channel(dir);
    expect(ch.counter.CorruptRecordCount).toBe(0);
    expect(bodies(takeAll(ch))).toEqual(["new-0", "new-1"]);
  });

  it("replays the later segments when an earlier one is damaged", async () => {
    const multi = join(temp.path, "multi");
    const ch0 = await channel(multi, { max_segment_size: 4_096, cache_size: 0 });
    for (let b = 0; b < 40; b++) {
      putCommitted(ch0, numberedEvents(5, `m${b}-`.padEnd(60, "-")));
      await ch0.whenDurable();
    }
    const crashed = join(temp.path, "multi-crashed");
    crashCopy(multi, crashed);
    expect(segmentFiles(crashed).length).toBeGreaterThan(2);
    const damaged = locate(crashed, `m3-`.padEnd(60, "-") + "2");
    const data = readFileSync(damaged.file);
    data[damaged.offset] = "M".charCodeAt(0);
    writeFileSync(damaged.file, data);

    const ch = await channel(crashed, { max_segment_size: 4_096, cache_size: 0 });
    expect(ch.counter.CorruptRecordCount).toBe(1);
    const delivered = bodies(takeAll(ch));
    // Batches m0–m2 survive, the rest of that first segment is lost, every later segment is replayed.
    const prefixes = [...new Set(delivered.map((body) => body.slice(0, body.indexOf("-"))))];
    expect(prefixes.slice(0, 3)).toEqual(["m0", "m1", "m2"]);
    expect(prefixes).not.toContain("m3");
    expect(prefixes.at(-1)).toBe("m39");
  });
});
