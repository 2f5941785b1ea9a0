import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crc32 } from "../../../runtime/channels/file/crc32";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { SpooldirSource } from "../../../runtime/sources/spooldir/spooldir-source";
import { consume, takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";
import { appendChanging, drop, listing, numberedLines, spoolConfig, startSpool, stopAll, stopDraining, type Rig } from "./spool-helpers";

let temp: { readonly path: string; remove(): void };
let spool: string;

beforeEach(() => {
  temp = createTempDir("flowc-spooldir-");
  spool = join(temp.path, "spool");
});

afterEach(async () => {
  await stopAll();
  temp.remove();
});

/** Takes `count` events from the rig's channel (10 s at most), failing with what is missing. */
async function receive(rig: Rig, count: number, maxPerTake?: number): Promise<FlowEvent[]> {
  const events = await consume(rig.channel, maxPerTake === undefined ? { count, timeoutMs: 10_000 } : { count, timeoutMs: 10_000, maxPerTake });
  if (events.length < count) throw new Error(`only ${events.length} of ${count} events arrived (last: ${bodies(events.slice(-3)).join(" | ") || "none"})`);
  return events;
}

function waitForCompleted(rig: Rig, files: number): Promise<true> {
  return waitFor(`${files} file(s) completed`, () => rig.source.counter.FileCompletedCount >= files || undefined, 10_000);
}

describe("SpooldirSource: reading and marking files", () => {
  it("reads every line of each file, oldest first, renames each with .COMPLETED and counts", async () => {
    mkdirSync(spool);
    drop(spool, "b.log", "b1\nb2\n", 30_000);
    drop(spool, "a.log", "a1\na2\na3\n", 60_000);
    drop(spool, "c.log", "c1\n", 10_000);
    const rig = await startSpool(spool);
    expect(rig.started).toBe(`spooldir:${spool}`);
    expect(bodies(await receive(rig, 6))).toEqual(["a1", "a2", "a3", "b1", "b2", "c1"]);
    await waitForCompleted(rig, 3);
    expect(listing(spool).filter((f) => !f.startsWith(".flowc-spool"))).toEqual(["a.log.COMPLETED", "b.log.COMPLETED", "c.log.COMPLETED"]);
    const counter = rig.source.counter;
    expect(counter.EventReceivedCount).toBe(6);
    expect(counter.EventAcceptedCount).toBe(6);
    expect(counter.FileFailedCount).toBe(0);
    expect(counter.StartTime).toBeGreaterThan(0);
    // Between files no position is kept: only the lock remains in the tracker directory.
    expect(listing(join(spool, ".flowc-spool"))).toEqual(["in_use.lock"]);
  });

  it("keeps bodies byte for byte: invalid UTF-8, NUL, CR, empty lines, a last line without newline, an empty file", async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    drop(spool, "1.bin", Buffer.concat([binary, Buffer.from("\r\n\n"), Buffer.from("héllo 🚀\nlast without newline")]), 60_000);
    drop(spool, "2.empty", "", 30_000);
    const rig = await startSpool(spool);
    const events = await receive(rig, 4);
    expect(Buffer.compare((events[0] as FlowEvent).body, Buffer.concat([binary, Buffer.from("\r")]))).toBe(0);
    expect(bodies(events.slice(1))).toEqual(["", "héllo 🚀", "last without newline"]);
    await waitForCompleted(rig, 2);
    expect(existsSync(join(spool, "2.empty.COMPLETED"))).toBe(true);
  });

  it("creates a missing directory and reads files that arrive later", async () => {
    const rig = await startSpool(spool);
    expect(existsSync(spool)).toBe(true);
    drop(spool, "late.log", "late\n");
    expect(bodies(await receive(rig, 1))).toEqual(["late"]);
  });

  it("leaves alone hidden, finished and failed files, non-matching names, subdirectories and anything but regular files", async () => {
    mkdirSync(join(spool, "sub"), { recursive: true });
    drop(spool, ".hidden.log", "hidden\n");
    drop(spool, "done.log.COMPLETED", "done\n");
    drop(spool, "bad.log.FAILED", "failed\n");
    drop(spool, "notes.txt", "not included\n");
    drop(spool, "skip-me.log", "ignored\n");
    drop(spool, "sub/deep.log", "not recursive\n");
    expect(spawnSync("mkfifo", [join(spool, "pipe.log")]).status).toBe(0);
    drop(spool, "wanted.log", "wanted\n", 1_000);
    const rig = await startSpool(spool, { include: "/\\.log$/", ignore: "/^skip/" });
    expect(bodies(await receive(rig, 1))).toEqual(["wanted"]);
    await waitForCompleted(rig, 1);
    // A full listing after the file was done: none of the others was read.
    await waitFor("another listing of the directory", () => rig.source.counter.PendingFileCount === 0 || undefined, 5_000);
    expect(takeAll(rig.channel)).toEqual([]);
    expect(rig.source.counter.EventReceivedCount).toBe(1);
  });

  it("reports a file whose name is not valid UTF-8 (it cannot be opened by that name) once, and reads the others", async () => {
    const { log, lines: logged } = recordingLogger();
    mkdirSync(spool);
    writeFileSync(Buffer.concat([Buffer.from(`${spool}/`), Buffer.from([0xff]), Buffer.from("bad.log")]), "bad\n");
    drop(spool, "good.log", "good\n");
    const rig = await startSpool(spool, {}, {}, log);
    expect(bodies(await receive(rig, 1))).toEqual(["good"]);
    await waitForCompleted(rig, 1);
    await waitFor("the bad name to be reported", () => rig.source.counter.FileFailedCount === 1 || undefined, 5_000);
    const errors = logged.filter((line) => line.includes("level=error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("not valid UTF-8");
  });

  it("with recursive, reads files in subdirectories too, except ignored and hidden ones, and not its own tracker directory", async () => {
    const tracker = join(spool, "tracker");
    drop(spool, "top.log", "top\n", 50_000);
    drop(spool, "a/b/deep.log", "deep\n", 40_000);
    drop(spool, "tmp/ignored.log", "ignored\n", 30_000);
    drop(spool, ".cache/hidden.log", "hidden\n", 20_000);
    const rig = await startSpool(spool, { recursive: true, ignore: "/^tmp$/", tracker_dir: tracker, file_header: "file" });
    const events = await receive(rig, 2);
    expect(bodies(events)).toEqual(["top", "deep"]);
    expect(events[1]?.headers).toEqual({ file: join(spool, "a", "b", "deep.log") });
    await waitForCompleted(rig, 2);
    expect(existsSync(join(spool, "a", "b", "deep.log.COMPLETED"))).toBe(true);
    expect(existsSync(join(tracker, "in_use.lock"))).toBe(true);
    expect(takeAll(rig.channel)).toEqual([]);
  });

  it("deletes finished files with delete_policy = immediate", async () => {
    drop(spool, "x.log", "x\n");
    const rig = await startSpool(spool, { delete_policy: "immediate" });
    expect(bodies(await receive(rig, 1))).toEqual(["x"]);
    await waitForCompleted(rig, 1);
    expect(listing(spool).filter((f) => !f.startsWith(".flowc-spool"))).toEqual([]);
  });

  it("puts a timestamp before the suffix when the completed name is taken", async () => {
    drop(spool, "same.log.COMPLETED", "old\n");
    drop(spool, "same.log", "new\n");
    const rig = await startSpool(spool);
    expect(bodies(await receive(rig, 1))).toEqual(["new"]);
    await waitForCompleted(rig, 1);
    const files = listing(spool).filter((f) => !f.startsWith(".flowc-spool"));
    expect(files).toHaveLength(2);
    expect(files).toContain("same.log.COMPLETED");
    expect(files.find((f) => f !== "same.log.COMPLETED")).toMatch(/^same\.log\.\d+\.COMPLETED$/);
    expect(readFileSync(join(spool, "same.log.COMPLETED"), "utf8")).toBe("old\n");
  });

  it("reads the youngest file first with consume_order = youngest", async () => {
    drop(spool, "old.log", "old\n", 60_000);
    drop(spool, "mid.log", "mid\n", 40_000);
    drop(spool, "new.log", "new\n", 20_000);
    const rig = await startSpool(spool, { consume_order: "youngest" });
    expect(bodies(await receive(rig, 3))).toEqual(["new", "mid", "old"]);
  });

  it("reads every file once with consume_order = random", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `f${i}.log`);
    for (const name of names) drop(spool, name, `${name}\n`);
    const rig = await startSpool(spool, { consume_order: "random" });
    expect(bodies(await receive(rig, names.length)).sort()).toEqual([...names].sort());
    await waitForCompleted(rig, names.length);
  });

  it("sets the file and basename headers", async () => {
    drop(spool, "h.log", "one\ntwo\n");
    const rig = await startSpool(spool, { file_header: "path", basename_header: "name" });
    const events = await receive(rig, 2);
    for (const event of events) expect(event.headers).toEqual({ path: join(spool, "h.log"), name: "h.log" });
  });

  it("waits for min_age: a recently modified file is listed but not read until it is old enough", async () => {
    const path = drop(spool, "fresh.log", "fresh\n", 0);
    const rig = await startSpool(spool, { min_age: 3_600_000 });
    await waitFor("the directory to be listed", () => rig.source.counter.PendingFileCount === 1 || undefined, 5_000);
    expect(rig.source.counter.EventReceivedCount).toBe(0);
    expect(existsSync(path)).toBe(true);
    const old = new Date(Date.now() - 7_200_000);
    utimesSync(path, old, old);
    expect(bodies(await receive(rig, 1))).toEqual(["fresh"]);
  });

  it("splits on a configured delimiter and applies long_lines, warning once per file", async () => {
    const { log, lines: logged } = recordingLogger();
    drop(spool, "crlf.log", `a\r\nbb\nb\r\n${"x".repeat(100)}\r\nc\r\n${"y".repeat(50)}\r\n`);
    const rig = await startSpool(spool, { delimiter: "\r\n", max_line_length: 10, long_lines: "discard" }, {}, log);
    expect(bodies(await receive(rig, 3))).toEqual(["a", "bb\nb", "c"]);
    await waitForCompleted(rig, 1);
    expect(rig.source.counter.LineDiscardedCount).toBe(2);
    const warnings = logged.filter((line) => line.includes("level=warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("discarded a line longer than max_line_length");
    expect(warnings[0]).toContain(`file=${join(spool, "crlf.log")}`);
  });

  it("truncates long lines by default", async () => {
    drop(spool, "long.log", `${"z".repeat(5_000)}\nshort\n`);
    const rig = await startSpool(spool, { max_line_length: 16 });
    expect(bodies(await receive(rig, 2))).toEqual(["z".repeat(16), "short"]);
    await waitForCompleted(rig, 1);
    expect(rig.source.counter.LineTruncatedCount).toBe(1);
  });
});

describe("SpooldirSource: positions, backpressure and restarts", () => {
  it("holds a refused batch while the channel is full, and marks the file done only after its last batch is in", async () => {
    const lines = numberedLines("l", 25);
    const path = drop(spool, "slow.log", `${lines.join("\n")}\n`);
    const rig = await startSpool(spool, { batch_size: 10 }, { capacity: 20, transaction_capacity: 10 });
    await waitFor("the channel to refuse a batch", () => rig.source.counter.ChannelWriteFail > 0 || undefined, 5_000);
    // The last 5 lines wait for room: the file must keep its name.
    expect(rig.channel.size()).toBe(20);
    expect(existsSync(path)).toBe(true);
    expect(rig.source.counter.FileCompletedCount).toBe(0);
    expect(bodies(await receive(rig, 25, 7))).toEqual(lines);
    await waitForCompleted(rig, 1);
    expect(existsSync(`${path}.COMPLETED`)).toBe(true);
    expect(rig.source.counter.EventAcceptedCount).toBe(25);
  });

  it("resumes after a stop in the middle of a file: every line exactly once, in order", async () => {
    const lines = numberedLines("r", 300);
    const path = drop(spool, "big.log", `${lines.join("\n")}\n`);
    const first = await startSpool(spool, { batch_size: 10 }, { capacity: 30, transaction_capacity: 10 });
    await waitFor("the channel to refuse a batch", () => first.source.counter.ChannelWriteFail > 0 || undefined, 5_000);
    // Delivers the batch it holds, saves its position, reads no further.
    const delivered = bodies(await stopDraining(first));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(lines.length);
    expect(delivered).toEqual(lines.slice(0, delivered.length));
    expect(first.source.counter.EventAcceptedCount).toBe(delivered.length);
    expect(existsSync(path)).toBe(true);
    const saved = JSON.parse(readFileSync(join(spool, ".flowc-spool", "position.json"), "utf8")) as { position: { file: string; offset: number } };
    expect(saved.position.file).toBe("big.log");
    expect(saved.position.offset).toBe(Buffer.byteLength(delivered.map((l) => `${l}\n`).join("")));

    const second = await startSpool(spool, { batch_size: 10 });
    const rest = bodies(await receive(second, lines.length - delivered.length));
    expect([...delivered, ...rest]).toEqual(lines);
    await waitForCompleted(second, 1);
    expect(existsSync(`${path}.COMPLETED`)).toBe(true);
    expect(takeAll(second.channel)).toEqual([]);
  });

  it("after a restart, marks done a file whose every line was delivered, without reading it again", async () => {
    const path = drop(spool, "finished.log", "x\ny\n");
    const first = await startSpool(spool);
    await receive(first, 2);
    await waitForCompleted(first, 1);
    await stopDraining(first);
    // As if the agent died between the last commit and the rename: the file back under its name, and
    // the position saying every byte of it is delivered.
    renameSync(`${path}.COMPLETED`, path);
    const info = statBig(path);
    writePosition(spool, { file: "finished.log", ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, offset: 4 });
    const second = await startSpool(spool);
    await waitForCompleted(second, 1);
    expect(existsSync(`${path}.COMPLETED`)).toBe(true);
    expect(second.source.counter.EventReceivedCount).toBe(0);
    expect(takeAll(second.channel)).toEqual([]);
  });

  it("refuses a file that changed while the agent was stopped (renamed .FAILED), and goes on with the others", async () => {
    const { log, lines: logged } = recordingLogger();
    const path = drop(spool, "a.log", "1\n2\n3\n", 60_000);
    drop(spool, "b.log", "b\n", 30_000);
    const info = statBig(path);
    writePosition(spool, { file: "a.log", ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, offset: 2 });
    appendChanging(path, "4\n");
    const rig = await startSpool(spool, {}, {}, log);
    expect(bodies(await receive(rig, 1))).toEqual(["b"]);
    await waitForCompleted(rig, 1);
    expect(existsSync(`${path}.FAILED`)).toBe(true);
    expect(rig.source.counter.FileFailedCount).toBe(1);
    const error = logged.find((line) => line.includes("level=error"));
    expect(error).toContain("changed while it was read");
    expect(error).toContain("delivered_bytes=2");
    expect(error).toContain("grew");
  });

  it("refuses a file replaced by another of the same name while the agent was stopped", async () => {
    const { log, lines: logged } = recordingLogger();
    const path = drop(spool, "a.log", "1\n2\n");
    const info = statBig(path);
    writePosition(spool, { file: "a.log", ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, offset: 2 });
    // Created before the old one is gone, so it surely has another inode number.
    drop(spool, ".other", "new content\n");
    renameSync(join(spool, ".other"), path);
    const rig = await startSpool(spool, {}, {}, log);
    await waitFor("the file to be refused", () => rig.source.counter.FileFailedCount === 1 || undefined, 5_000);
    await waitFor("the new file to be renamed", () => existsSync(`${path}.FAILED`) || undefined, 5_000);
    expect(logged.some((line) => line.includes("replaced by another of the same name"))).toBe(true);
    expect(takeAll(rig.channel)).toEqual([]);
  });

  it("reports a file that disappeared while the agent was stopped, and forgets it", async () => {
    const { log, lines: logged } = recordingLogger();
    const path = drop(spool, "gone.log", "1\n2\n");
    const info = statBig(path);
    writePosition(spool, { file: "gone.log", ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, offset: 2 });
    unlinkSync(path);
    const rig = await startSpool(spool, {}, {}, log);
    await waitFor("the loss to be counted", () => rig.source.counter.FileFailedCount === 1 || undefined, 5_000);
    await waitFor("the position to be cleared", () => !existsSync(join(spool, ".flowc-spool", "position.json")) || undefined, 5_000);
    expect(logged.find((line) => line.includes("level=error"))).toContain("is gone");
  });

  it("moves a damaged position file aside, says so, and reads the file again from its start", async () => {
    const { log, lines: logged } = recordingLogger();
    drop(spool, "a.log", "1\n2\n");
    mkdirSync(join(spool, ".flowc-spool"), { recursive: true });
    writeFileSync(join(spool, ".flowc-spool", "position.json"), ""); // what a full disk leaves behind
    const rig = await startSpool(spool, {}, {}, log);
    expect(bodies(await receive(rig, 2))).toEqual(["1", "2"]);
    const error = logged.find((line) => line.includes("level=error"));
    expect(error).toContain("the saved position is damaged");
    expect(error).toContain('reason="the file is empty"');
    expect(listing(join(spool, ".flowc-spool")).some((f) => /^position\.json\.damaged-\d+$/.test(f))).toBe(true);
  });

  it("detects a position whose content does not match its checksum", async () => {
    const { log, lines: logged } = recordingLogger();
    const path = drop(spool, "a.log", "1\n2\n");
    const info = statBig(path);
    writePosition(spool, { file: "a.log", ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, offset: 2 });
    const file = join(spool, ".flowc-spool", "position.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"offset":2', '"offset":4'));
    const rig = await startSpool(spool, {}, {}, log);
    expect(bodies(await receive(rig, 2))).toEqual(["1", "2"]);
    expect(logged.find((line) => line.includes("level=error"))).toContain("checksum does not match");
  });
});

describe("SpooldirSource: files that change while being read", () => {
  /** A source blocked on a full channel in the middle of `name`, which has `lines` lines. */
  async function blockedIn(name: string, lines: string[], log = silentLogger()): Promise<{ rig: Rig; path: string }> {
    const path = drop(spool, name, `${lines.join("\n")}\n`, 60_000);
    const rig = await startSpool(spool, { batch_size: 10 }, { capacity: 20, transaction_capacity: 10 }, log);
    await waitFor("the channel to refuse a batch", () => rig.source.counter.ChannelWriteFail > 0 || undefined, 5_000);
    return { rig, path };
  }

  it("refuses a file that grows: stops at the last delivered batch, renames it .FAILED, logs what was delivered", async () => {
    const { log, lines: logged } = recordingLogger();
    const lines = numberedLines("g", 100);
    const { rig, path } = await blockedIn("grow.log", lines, log);
    appendChanging(path, "appended\n");
    drop(spool, "next.log", "next\n", 1_000);
    // Drain: the held batch goes in; the next check sees the change.
    const events = bodies(await receive(rig, 31, 7));
    expect(events.slice(0, 30)).toEqual(lines.slice(0, 30));
    expect(events[30]).toBe("next");
    expect(existsSync(`${path}.FAILED`)).toBe(true);
    expect(rig.source.counter.FileFailedCount).toBe(1);
    const error = logged.find((line) => line.includes("level=error"));
    expect(error).toContain(`file=${path}`);
    expect(error).toContain("grew");
    expect(error).toContain(`delivered_bytes=${Buffer.byteLength(lines.slice(0, 30).map((l) => `${l}\n`).join(""))}`);
    expect(error).toContain(`renamed_to=${path}.FAILED`);
    await waitForCompleted(rig, 1);
    expect(existsSync(join(spool, ".flowc-spool", "position.json"))).toBe(false);
  });

  it("refuses a file that is truncated while it is read", async () => {
    const { log, lines: logged } = recordingLogger();
    const { rig, path } = await blockedIn("shrink.log", numberedLines("s", 100), log);
    truncateSync(path, 10);
    await receive(rig, 30, 7);
    await waitFor("the file to be refused", () => rig.source.counter.FileFailedCount === 1 || undefined, 5_000);
    expect(existsSync(`${path}.FAILED`)).toBe(true);
    expect(logged.find((line) => line.includes("level=error"))).toContain("shorter");
  });

  it("reads a file replaced under its name to its end, and refuses the new one", async () => {
    const { log, lines: logged } = recordingLogger();
    const lines = numberedLines("o", 100);
    const { rig, path } = await blockedIn("replaced.log", lines, log);
    drop(spool, ".new", "new content\n");
    renameSync(join(spool, ".new"), path);
    expect(bodies(await receive(rig, 100, 7))).toEqual(lines);
    await waitForCompleted(rig, 1);
    expect(existsSync(`${path}.FAILED`)).toBe(true);
    expect(readFileSync(`${path}.FAILED`, "utf8")).toBe("new content\n");
    expect(rig.source.counter.FileFailedCount).toBe(1);
    expect(logged.some((line) => line.includes("replaced by another of the same name"))).toBe(true);
    expect(takeAll(rig.channel)).toEqual([]);
  });

  it("reads a file removed while it is read to its end, and warns that it cannot be marked", async () => {
    const { log, lines: logged } = recordingLogger();
    const lines = numberedLines("d", 100);
    const { rig, path } = await blockedIn("removed.log", lines, log);
    unlinkSync(path);
    expect(bodies(await receive(rig, 100, 7))).toEqual(lines);
    await waitForCompleted(rig, 1);
    expect(logged.some((line) => line.includes("renamed or removed while it was read"))).toBe(true);
  });
});

describe("SpooldirSource: configuration and lifecycle errors", () => {
  it("refuses a directory that is a file, with a UserFacingError", async () => {
    writeFileSync(spool, "not a directory");
    const source = new SpooldirSource("spool", spoolConfig(spool), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    const error = await source.start(silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(new RegExp(`^source \`spool\` cannot use directory ${spool}: `));
    await withTimeout(source.stop(), 5_000, "stop() after a failed start");
  });

  it("refuses a second source on the same directory, and takes over the lock of a process that is gone", async () => {
    await startSpool(spool);
    const second = new SpooldirSource("again", spoolConfig(spool), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    await expect(second.start(silentLogger())).rejects.toThrow(`source \`again\` cannot use directory ${spool}: source \`spool\` of this agent already reads it`);
    await stopAll();

    const { log, lines: logged } = recordingLogger();
    // A PID that is surely not running: above the kernel's pid_max.
    writeFileSync(join(spool, ".flowc-spool", "in_use.lock"), "99999999\n");
    drop(spool, "after.log", "after\n");
    const rig = await startSpool(spool, {}, {}, log);
    expect(bodies(await receive(rig, 1))).toEqual(["after"]);
    expect(logged.some((line) => line.includes("taking over a stale lock"))).toBe(true);
  });

  it("refuses another running process's lock", async () => {
    mkdirSync(join(spool, ".flowc-spool"), { recursive: true });
    writeFileSync(join(spool, ".flowc-spool", "in_use.lock"), `${process.ppid}\n`);
    const source = new SpooldirSource("spool", spoolConfig(spool), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    await expect(source.start(silentLogger())).rejects.toThrow(`another running process (pid ${process.ppid}) reads it`);
  });

  it("refuses an empty delimiter, and an empty completed_suffix when files are renamed", () => {
    const processor = new ReplicatingProcessor({ required: [memoryChannel("c")] });
    expect(() => new SpooldirSource("s", spoolConfig(spool, { delimiter: "" }), processor)).toThrow("source `s`: `delimiter` must not be empty");
    expect(() => new SpooldirSource("s", spoolConfig(spool, { completed_suffix: "" }), processor)).toThrow(UserFacingError);
    expect(() => new SpooldirSource("s", spoolConfig(spool, { completed_suffix: "", delete_policy: "immediate" }), processor)).not.toThrow();
  });

  it("stops promptly when idle, and stop() can be called again", async () => {
    const rig = await startSpool(spool, { poll_delay: 3_600_000 });
    await withTimeout(rig.source.stop(), 5_000, "stop() while waiting for files");
    await withTimeout(rig.source.stop(), 5_000, "a second stop()");
    expect(rig.source.counter.StopTime).toBeGreaterThan(0);
    expect(existsSync(join(spool, ".flowc-spool", "in_use.lock"))).toBe(false);
  });
});

function statBig(path: string): { ino: bigint; size: bigint; mtimeNs: bigint } {
  const info = statSync(path, { bigint: true });
  return { ino: info.ino, size: info.size, mtimeNs: info.mtimeNs };
}

/** Writes a position file the way the source does (checked by its CRC). */
function writePosition(directory: string, position: { file: string; ino: bigint; size: bigint; mtimeNs: bigint; offset: number }): void {
  const body = JSON.stringify({ version: 1, file: position.file, ino: position.ino.toString(), size: position.size.toString(), mtime_ns: position.mtimeNs.toString(), offset: position.offset });
  const bytes = Buffer.from(body, "utf8");
  mkdirSync(join(directory, ".flowc-spool"), { recursive: true });
  writeFileSync(join(directory, ".flowc-spool", "position.json"), `${JSON.stringify({ crc: crc32(bytes, 0, bytes.length), position: JSON.parse(body) as unknown })}\n`);
}
