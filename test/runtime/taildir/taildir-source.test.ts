import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { readPositionFile } from "../../../runtime/sources/taildir/position-file";
import { TaildirSource, TaildirSourceCounter } from "../../../runtime/sources/taildir/taildir-source";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { memoryChannel } from "../../helpers/memory-channel";
import { silentLogger } from "../../helpers/silent-logger";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { lines, startRig, stopAllRigs, taildirConfig, text } from "./taildir-rig";

let dir: string;
let removeDir: () => void;

beforeEach(() => {
  const temp = createTempDir("flowc-taildir-");
  dir = temp.path;
  removeDir = temp.remove;
});

afterEach(async () => {
  await stopAllRigs();
  removeDir();
});

describe("taildir: finding and reading files", () => {
  it("reads the files the globs match from their beginning, then what is appended and files that appear later, with file and group headers", async () => {
    mkdirSync(join(dir, "web"));
    writeFileSync(join(dir, "a.log"), text(lines("a", 3)));
    writeFileSync(join(dir, "web", "access.log"), text(lines("w", 2)));
    writeFileSync(join(dir, "ignored.txt"), "not matched\n");
    const rig = await startRig(
      taildirConfig(dir, { files: { app: join(dir, "*.log"), web: join(dir, "web", "{access,error}.log") }, file_header: "file", group_header: "group" }),
    );
    expect(rig.started).toBe(`taildir:${join(dir, "*.log")},${join(dir, "web", "{access,error}.log")}`);
    await rig.collect(5);
    appendFileSync(join(dir, "a.log"), text(lines("a", 2, 3)));
    writeFileSync(join(dir, "b.log"), text(lines("b", 1)));
    writeFileSync(join(dir, "web", "error.log"), text(lines("e", 1)));
    await rig.collect(9);
    const byFile = new Map<string, string[]>();
    for (const event of rig.taken) {
      const key = `${event.headers["group"]} ${event.headers["file"]}`;
      byFile.set(key, [...(byFile.get(key) ?? []), event.bodyText()]);
    }
    expect(Object.fromEntries(byFile)).toEqual({
      [`app ${join(dir, "a.log")}`]: lines("a", 5),
      [`app ${join(dir, "b.log")}`]: lines("b", 1),
      [`web ${join(dir, "web", "access.log")}`]: lines("w", 2),
      [`web ${join(dir, "web", "error.log")}`]: lines("e", 1),
    });
    expect(rig.source.counter.EventReceivedCount).toBe(9);
    expect(rig.source.counter.EventAcceptedCount).toBe(9);
    expect(rig.source.counter.OpenFileCount).toBe(4);
    await rig.stop();
    expect(rig.source.counter.OpenFileCount).toBe(0);
  });

  it("reads a file matched by two groups once, for the first group", async () => {
    writeFileSync(join(dir, "a.log"), "x\n");
    const rig = await startRig(taildirConfig(dir, { files: { first: join(dir, "a.*"), second: join(dir, "*.log") }, group_header: "g" }));
    await rig.collect(1);
    appendFileSync(join(dir, "a.log"), "y\n");
    await rig.collect(2);
    expect(rig.taken.map((e) => `${e.headers["g"]}:${e.bodyText()}`)).toEqual(["first:x", "first:y"]);
  });

  it("with start_at = end skips what files held at the first start only; files found later are read whole", async () => {
    writeFileSync(join(dir, "old.log"), text(lines("old", 5)));
    const config = taildirConfig(dir, { start_at: "end" });
    const rig = await startRig(config);
    appendFileSync(join(dir, "old.log"), "old-new\n");
    writeFileSync(join(dir, "later.log"), "later-1\n");
    expect((await rig.collect(2)).sort()).toEqual(["later-1", "old-new"]);
    await rig.stop();
    // A restart is not a first start: what was appended meanwhile is read, new files from their start.
    appendFileSync(join(dir, "old.log"), "while-stopped\n");
    writeFileSync(join(dir, "new.log"), "new-1\n");
    const again = await startRig(config);
    expect((await again.collect(2)).sort()).toEqual(["new-1", "while-stopped"]);
  });

  it("skips a FIFO and a directory the glob matches, without blocking", async () => {
    spawnSync("mkfifo", [join(dir, "pipe.log")]);
    mkdirSync(join(dir, "dir.log"));
    writeFileSync(join(dir, "real.log"), "real\n");
    const rig = await startRig(taildirConfig(dir));
    expect(await rig.collect(1)).toEqual(["real"]);
    expect(rig.source.counter.OpenFileCount).toBe(1);
    expect(rig.logLines.filter((line) => line.includes("not a regular file")).map((line) => /path=(\S+)/.exec(line)?.[1])).toEqual([join(dir, "pipe.log")]);
  });

  it("closes a file idle for idle_close and opens it again when it grows", async () => {
    writeFileSync(join(dir, "a.log"), "one\n");
    const rig = await startRig(taildirConfig(dir, { idle_close: 50 }));
    await rig.collect(1);
    await waitFor("the idle file to be closed", () => rig.source.counter.OpenFileCount === 0);
    appendFileSync(join(dir, "a.log"), "two\n");
    expect(await rig.collect(2)).toEqual(["one", "two"]);
    expect(rig.source.counter.OpenFileCount).toBe(1);
  });
});

describe("taildir: restarts lose and repeat nothing", () => {
  it("resumes where the channel's events ended: an unfinished line and an open record at stop are read whole after the restart", async () => {
    const config = taildirConfig(dir, { multiline_start: "/^\\d{4} /" });
    writeFileSync(join(dir, "a.log"), "2024 one\n  detail\n2024 two\n2024 thr");
    const first = await startRig(config);
    expect(await first.collect(2)).toEqual(["2024 one\n  detail", "2024 two"]);
    await first.stop();
    const saved = await readPositionFile(config.position_file);
    expect(saved?.map((entry) => entry.pos)).toEqual([27]); // the start of the open record "2024 thr…"
    appendFileSync(join(dir, "a.log"), "ee\n  more\n2024 four\n");
    const second = await startRig(config);
    expect(await second.collect(2)).toEqual(["2024 three\n  more", "2024 four"]);
    expect(second.source.counter.EventReceivedCount).toBe(2);
  });

  it("stopped and started again and again while a writer appends, delivers every line exactly once, in order", async () => {
    const config = taildirConfig(dir, { batch_size: 7 });
    const all = lines("line", 3_000);
    const got: string[] = [];
    let written = 0;
    for (let round = 0; round < 30 && got.length < all.length; round++) {
      // A small channel fills, so stops fall while events wait for room; lines are appended meanwhile.
      const rig = await startRig(config, { capacity: 50, transaction_capacity: 10 });
      const upTo = Math.min(all.length, written + 500);
      for (; written < upTo; written += 50) appendFileSync(join(dir, "a.log"), text(all.slice(written, written + 50)));
      await rig.collect(Math.min(120, all.length - got.length));
      got.push(...(await rig.stop()));
    }
    expect(got.length).toBe(all.length);
    expect(got).toEqual(all);
  });

  it("reads a file rewritten in place while stopped (same inode, other content) from its start", async () => {
    const config = taildirConfig(dir);
    writeFileSync(join(dir, "a.log"), text(lines("before", 20)));
    const first = await startRig(config);
    await first.collect(20);
    await first.stop();
    writeFileSync(join(dir, "a.log"), text(lines("after", 30))); // same inode, longer than before
    const second = await startRig(config);
    expect(await second.collect(30)).toEqual(lines("after", 30));
  });

  it("finishes the former content from its copy when the file was copied and truncated while stopped (copytruncate)", async () => {
    const config = taildirConfig(dir);
    writeFileSync(join(dir, "a.log"), text(lines("x", 10)));
    const first = await startRig(config);
    await first.collect(10);
    await first.stop();
    appendFileSync(join(dir, "a.log"), text(lines("x", 5, 10)));
    copyFileSync(join(dir, "a.log"), join(dir, "a.log.1"));
    truncateSync(join(dir, "a.log"), 0);
    appendFileSync(join(dir, "a.log"), text(lines("y", 3)));
    const second = await startRig(config);
    expect(await second.collect(8)).toEqual([...lines("x", 5, 10), ...lines("y", 3)]);
    expect(second.source.counter.FileTruncatedCount).toBe(1);
  });

  it("writes the position file atomically as JSON with one entry per file, and leaves no temporary file", async () => {
    const config = taildirConfig(dir);
    writeFileSync(join(dir, "a.log"), "a\n");
    const rig = await startRig(config);
    await rig.collect(1);
    await rig.stop();
    const textOf = readFileSync(config.position_file, "utf8");
    expect(JSON.parse(textOf)).toEqual({
      version: 1,
      files: [
        {
          dev: String(statSync(join(dir, "a.log"), { bigint: true }).dev),
          inode: String(statSync(join(dir, "a.log"), { bigint: true }).ino),
          pos: 2,
          group: "app",
          path: join(dir, "a.log"),
          head: { length: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        },
      ],
    });
    expect(existsSync(`${config.position_file}.tmp`)).toBe(false);
  });

  it("writes a position only once the channels hold the events before it durably", async () => {
    const config = taildirConfig(dir);
    const channel = memoryChannel("c");
    await channel.start();
    const inner = new ReplicatingProcessor({ required: [channel] });
    let durable: () => void = () => undefined;
    let gated = false;
    let waits = 0;
    // A processor whose channels report durability only when the test says so (a file channel's fsync).
    const processor = {
      process: (events: FlowEvent[]) => inner.process(events),
      whenWritable: () => inner.whenWritable(),
      whenDurable: () => {
        if (!gated) return Promise.resolve();
        waits++;
        return new Promise<void>((resolve) => (durable = resolve));
      },
    };
    writeFileSync(join(dir, "a.log"), "one\n");
    const source = new TaildirSource("tail", config, processor);
    await source.start(silentLogger());
    await waitFor("the first line to be saved", async () => (await readPositionFile(config.position_file))?.[0]?.pos === 4);
    gated = true;
    appendFileSync(join(dir, "a.log"), "two\n");
    await waitFor("the second line to reach the channel", () => channel.size() === 2);
    await waitFor("a position write to wait for durability", () => waits > 0);
    expect((await readPositionFile(config.position_file))?.[0]?.pos).toBe(4);
    gated = false;
    durable();
    await waitFor("the second line to be saved", async () => (await readPositionFile(config.position_file))?.[0]?.pos === 8);
    await source.stop();
  });

  it("refuses to start, saying how to recover, when the position file is not valid", async () => {
    const config = taildirConfig(dir);
    mkdirSync(join(dir, "state"));
    writeFileSync(config.position_file, "{ not json");
    const source = new TaildirSource("tail", config, new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    const error = await source.start(silentLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe(
      `source \`tail\` cannot use its position file ${config.position_file}: it is not valid JSON; move it away to start over (every file is then read again per \`start_at\`)`,
    );
    await source.stop();
  });

  it("refuses to start when the position file cannot be written", async () => {
    // Nothing can be created under /proc, not even by root.
    const config = taildirConfig(dir, { position_file: "/proc/self/positions.json" });
    const source = new TaildirSource("tail", config, new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    const error = await source.start(silentLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(/^source `tail` cannot write its position file \/proc\/self\/positions\.json: /);
    await source.stop();
  });
});

describe("taildir: rotation and truncation", () => {
  it("reads a renamed file to its end before the new file at its path, and closes it after rotate_wait", async () => {
    writeFileSync(join(dir, "a.log"), text(lines("old", 3)));
    const rig = await startRig(taildirConfig(dir, { files: { app: join(dir, "a.log") }, rotate_wait: 50 }));
    await rig.collect(3);
    renameSync(join(dir, "a.log"), join(dir, "a.log.1"));
    appendFileSync(join(dir, "a.log.1"), text(lines("old", 2, 3))); // a writer that has not reopened yet
    writeFileSync(join(dir, "a.log"), text(lines("new", 2)));
    expect(await rig.collect(7)).toEqual([...lines("old", 5), ...lines("new", 2)]);
    await waitFor("the rotated file to be closed", () => rig.source.counter.OpenFileCount === 1);
    expect(rig.source.counter.FileRotatedCount).toBe(1);
  });

  it("through two rotations in quick succession, reads each file to its end in turn: a new file rotated away while it waits for its predecessor is read after it", async () => {
    // A full channel holds back the first file's events, so the second one is found, linked to it and
    // renamed away while still waiting for it; the third then waits for the second.
    const log = join(dir, "a.log");
    writeFileSync(log, text(lines("first", 50)));
    const rig = await startRig(taildirConfig(dir, { files: { app: log } }), { capacity: 10, transaction_capacity: 10 });
    await waitFor("the channel to be full", () => rig.channel.size() === 10);
    renameSync(log, join(dir, "a.log.1"));
    writeFileSync(log, text(lines("second", 5)));
    await waitFor("the second file to be followed", () => rig.source.counter.OpenFileCount === 2);
    renameSync(log, join(dir, "a.log.2"));
    writeFileSync(log, text(lines("third", 5)));
    await waitFor("the third file to be followed", () => rig.source.counter.OpenFileCount === 3);
    expect(rig.drain()).toEqual(lines("first", 10)); // nothing of the later files got ahead
    expect(await rig.collect(60)).toEqual([...lines("first", 50), ...lines("second", 5), ...lines("third", 5)]);
    expect(rig.source.counter.FileRotatedCount).toBe(2);
  });

  it("reads a file deleted while open to its end, then closes it", async () => {
    writeFileSync(join(dir, "a.log"), "one\n");
    const rig = await startRig(taildirConfig(dir));
    await rig.collect(1);
    appendFileSync(join(dir, "a.log"), "two\nunfinished");
    unlinkSync(join(dir, "a.log"));
    expect(await rig.collect(3)).toEqual(["one", "two", "unfinished"]);
    await waitFor("the deleted file to be closed", () => rig.source.counter.OpenFileCount === 0);
    expect(rig.source.counter.FileDeletedCount).toBe(1);
    await rig.stop();
    expect(await readPositionFile(join(dir, "state", "positions.json"))).toEqual([]);
  });

  it("reads a file truncated in place from its start, handing on the unfinished line it held", async () => {
    writeFileSync(join(dir, "a.log"), "one\ntwo\npart");
    const rig = await startRig(taildirConfig(dir));
    await rig.collect(2);
    truncateSync(join(dir, "a.log"), 0);
    appendFileSync(join(dir, "a.log"), "fresh\n");
    expect(await rig.collect(4)).toEqual(["one", "two", "part", "fresh"]);
    expect(rig.source.counter.FileTruncatedCount).toBe(1);
    expect(rig.logLines.some((line) => line.includes("reading it again from its start"))).toBe(true);
  });

  it("after copytruncate, reads what it had not yet read from the copy, then the file from its start", async () => {
    writeFileSync(join(dir, "a.log"), text(lines("x", 5)));
    // No consumer at first and a channel of 5 events: reading stops after the first five lines.
    const rig = await startRig(taildirConfig(dir, { files: { app: join(dir, "a.log") }, batch_size: 5 }), { capacity: 5, transaction_capacity: 5 });
    await waitFor("the channel to fill", () => rig.channel.size() === 5);
    appendFileSync(join(dir, "a.log"), text(lines("x", 20, 5)));
    await waitFor("a refused batch", () => rig.source.counter.ChannelWriteFail > 0);
    copyFileSync(join(dir, "a.log"), join(dir, "a.log.1"));
    truncateSync(join(dir, "a.log"), 0);
    appendFileSync(join(dir, "a.log"), text(lines("y", 4)));
    expect(await rig.collect(29)).toEqual([...lines("x", 25), ...lines("y", 4)]);
    expect(rig.source.counter.FileTruncatedCount).toBe(1);
    expect(rig.logLines.some((line) => line.includes("from its copy") && line.includes("a.log.1"))).toBe(true);
  });
});

describe("taildir: hostile input", () => {
  it("cuts a huge line without a newline to max_line_length, holding no more than that, and goes on", async () => {
    const rig = await startRig(taildirConfig(dir, { max_line_length: 1_000 }));
    writeFileSync(join(dir, "a.log"), "before\n");
    await rig.collect(1);
    const huge = Buffer.alloc(5_000_000, 0x61);
    appendFileSync(join(dir, "a.log"), huge);
    await waitFor("the huge line to be read", () => statSync(join(dir, "a.log")).size === 7 + huge.length && rig.source.counter.EventReceivedCount === 1 && rigHeld(rig.source) === 1_000);
    appendFileSync(join(dir, "a.log"), "\nafter\n");
    const got = await rig.collect(3);
    expect(got).toEqual(["before", "a".repeat(1_000), "after"]);
    expect(rig.source.counter.LineTruncatedCount).toBe(1);
  });

  it("passes binary garbage through byte for byte", async () => {
    const garbage = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a, 0xc3, 0x28, 0x0a]);
    writeFileSync(join(dir, "a.log"), garbage);
    const rig = await startRig(taildirConfig(dir));
    await rig.collect(2);
    expect(rig.taken.map((event) => [...event.body])).toEqual([
      [0, 1, 2, 0xff, 0xfe, 0x0d],
      [0xc3, 0x28],
    ]);
  });

  it("logs and counts a file it may not read, goes on with the others, and reads it once it may", async () => {
    // Run as an unprivileged user when the tests run as root, who may read anything.
    writeFileSync(join(dir, "secret.log"), "secret\n");
    writeFileSync(join(dir, "open.log"), "open\n");
    chmodSync(join(dir, "secret.log"), 0o000);
    const rig = await startRig(taildirConfig(dir));
    if (process.getuid?.() === 0) {
      // Root reads regardless of permissions: the refusal is checked by the e2e test, as an unprivileged agent.
      expect((await rig.collect(2)).sort()).toEqual(["open", "secret"]);
      return;
    }
    expect(await rig.collect(1)).toEqual(["open"]);
    await waitFor("the refusal to be logged", () => rig.logLines.some((line) => line.includes("permission denied")));
    expect(rig.source.counter.FileReadFail).toBeGreaterThan(0);
    chmodSync(join(dir, "secret.log"), 0o644);
    expect(await rig.collect(2)).toEqual(["open", "secret"]);
  });
});

describe("taildir: multi-line records", () => {
  it("joins continuation lines, hands on the last record after multiline_timeout, and splits records past max_line_length", async () => {
    const continuation = Array<string>(10).fill("  y");
    writeFileSync(join(dir, "a.log"), text(["ERROR boom", "  at f()", "  at g()", "INFO ok", `ERROR ${"z".repeat(20)}`, ...continuation]));
    const rig = await startRig(taildirConfig(dir, { multiline_start: "/^(ERROR|INFO) /", multiline_timeout: 30, max_line_length: 30 }));
    const got = await rig.collect(5);
    expect(got.slice(0, 2)).toEqual(["ERROR boom\n  at f()\n  at g()", "INFO ok"]);
    // 30 bytes at most per event: the record is split, and its pieces joined give it back.
    expect(got.slice(2)).toEqual([`ERROR ${"z".repeat(20)}\n  y`, continuation.slice(0, 7).join("\n"), continuation.slice(0, 2).join("\n")]);
    expect(rig.source.counter.MultilineSplitCount).toBeGreaterThan(0);
  });
});

describe("taildir: metrics", () => {
  it("names every counter in the metrics catalogue", () => {
    forEachAttribute(new TaildirSourceCounter(), (name) => {
      expect(attributeMetric(name)?.on, name).toContain("SOURCE");
    });
  });
});

function rigHeld(source: TaildirSource): number {
  // Bytes the source holds for unfinished lines, read through its tails (a test-only view).
  let held = 0;
  for (const tail of (source as unknown as { tails: Map<string, { splitter: { heldBytes: number } }> }).tails.values()) held += tail.splitter.heldBytes;
  return held;
}
