import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import type { FileIo } from "../../../runtime/sinks/file-output/file-set";
import { FilesSink, FilesSinkCounter, type FilesSinkOptions } from "../../../runtime/sinks/files/files-sink";
import { event, numberedEvents } from "../../helpers/events";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

let dir: ReturnType<typeof createTempDir>;
const openSinks: FilesSink[] = [];

beforeEach(() => {
  dir = createTempDir("flowc-files-sink-");
});

afterEach(async () => {
  for (const sink of openSinks.splice(0)) await sink.stop();
  dir.remove();
});

function sink(config: FilesSinkOptions): FilesSink {
  const created = new FilesSink("out", { batch_size: 100, ...config });
  openSinks.push(created);
  return created;
}

async function started(config: FilesSinkOptions): Promise<FilesSink> {
  const created = sink(config);
  await created.start(silentLogger());
  return created;
}

/** Every file under `root`, relative to it, sorted. */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** The counter in a rolled file's name: `events.1795304187482.gz.tmp` → 1795304187482. */
function counterOf(name: string): number {
  return Number(/\.(\d+)(\D|$)/.exec(name)?.[1]);
}

/** The files directly in `directory` matching `pattern`, in the order of their counters. */
function series(directory: string, pattern: RegExp): string[] {
  return readdirSync(directory)
    .filter((name) => pattern.test(name))
    .sort((a, b) => counterOf(a) - counterOf(b));
}

function text(path: string): string {
  return readFileSync(path, "utf8");
}

/** Makes the file set's writes fail: `plan(call)` says how many bytes call n (from 1) writes, or that it fails. */
function breakWrites(files: { io: FileIo }, plan: (call: number, length: number) => number | "fail"): { calls: () => number; restore: () => void } {
  const io = files.io as { write: FileIo["write"] };
  const real = io.write;
  let calls = 0;
  io.write = (handle, buffer, offset, length) => {
    calls++;
    const step = plan(calls, length);
    if (step === "fail") return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
    return real(handle, buffer, offset, step);
  };
  return { calls: () => calls, restore: () => (io.write = real) };
}

describe("FilesSink: one file, appended to (the default)", () => {
  it("appends each body and a newline, in order, across batches", async () => {
    const path = join(dir.path, "out.log");
    const s = await started({ path });
    await s.write(numberedEvents(3, "a"));
    await s.write([]);
    await s.write([event(""), event("b")]);
    expect(text(path)).toBe("a0\na1\na2\n\nb\n");
  });

  it("writes bodies byte for byte", async () => {
    const path = join(dir.path, "bytes.log");
    const s = await started({ path });
    const binary = Buffer.from([0x00, 0xff, 0xc3, 0x0d]);
    await s.write([event("日本語 ✓"), event(binary)]);
    expect(Buffer.compare(readFileSync(path), Buffer.concat([Buffer.from("日本語 ✓\n", "utf8"), binary, Buffer.from("\n")]))).toBe(0);
  });

  it("writes a batch larger than its reusable buffer", async () => {
    const path = join(dir.path, "big.log");
    const s = await started({ path });
    const line = "x".repeat(10_000);
    await s.write(Array.from({ length: 60 }, (_, i) => event(`${i}:${line}`))); // ~600 KB > 256 KiB
    await s.write([event("after")]);
    const lines = text(path).split("\n");
    expect(lines).toHaveLength(62);
    for (let i = 0; i < 60; i++) expect(lines[i]).toBe(`${i}:${line}`);
    expect(lines[60]).toBe("after");
  });

  it("creates missing parent directories", async () => {
    const path = join(dir.path, "a", "b", "c", "out.log");
    const s = await started({ path });
    await s.write([event("deep")]);
    expect(text(path)).toBe("deep\n");
  });

  it("appends to an existing file instead of truncating it, and continues it across a restart", async () => {
    const path = join(dir.path, "existing.log");
    writeFileSync(path, "kept 1\nkept 2\n");
    const first = await started({ path });
    await first.write([event("one")]);
    await first.stop();
    const second = await started({ path });
    await second.write([event("two")]);
    expect(text(path)).toBe("kept 1\nkept 2\none\ntwo\n");
  });

  it("starts on a new line when the file it appends to does not end with a newline, and says so", async () => {
    const path = join(dir.path, "unterminated.log");
    writeFileSync(path, "complete\npartial");
    const { log, lines } = recordingLogger();
    const s = sink({ path });
    await s.start(log);
    await s.write([event("next")]);
    await s.write([event("after")]);
    expect(text(path)).toBe("complete\npartial\nnext\nafter\n");
    expect(lines.join("")).toContain("does not end with a newline");
  });

  it("writes with `sync: true`", async () => {
    const path = join(dir.path, "synced.log");
    const s = await started({ path, sync: true });
    await s.write(numberedEvents(2));
    await s.write(numberedEvents(1, "e", 2));
    expect(text(path)).toBe("e0\ne1\ne2\n");
  });

  it("exposes its batch size and defaults the rest from the spec", () => {
    expect(sink({ path: join(dir.path, "x.log"), batch_size: 42 }).batchSize).toBe(42);
    expect(new FilesSink("d", { path: "x" }).batchSize).toBe(1_000);
  });

  it("rejects with UserFacingError when the path cannot be opened (a directory under a regular file)", async () => {
    const blocker = join(dir.path, "plain-file");
    writeFileSync(blocker, "not a directory");
    const path = join(blocker, "sub", "out.log");
    const s = sink({ path });
    const error = await s.start(silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).exitCode).toBe(1);
    expect((error as UserFacingError).message).toBe(`sink \`out\` cannot open ${path}: a part of the path is a file, not a directory (ENOTDIR)`);
    expect(s.counter.ConnectionCreatedCount).toBe(0);
    expect(s.counter.ConnectionFailedCount).toBe(1);
  });

  it("rejects with UserFacingError when the path is a directory", async () => {
    const s = sink({ path: dir.path });
    await expect(s.start(silentLogger())).rejects.toThrow(/cannot open .*: it is a directory \(EISDIR\)/);
  });

  it("refuses to write before start and after stop", async () => {
    const path = join(dir.path, "lifecycle.log");
    const s = sink({ path });
    await expect(s.write([event("early")])).rejects.toThrow(/not started/);
    await s.start(silentLogger());
    await s.stop();
    await expect(s.write([event("late")])).rejects.toThrow(/not started/);
    expect(text(path)).toBe("");
  });

  it("counts opening and closing the file, once", async () => {
    const path = join(dir.path, "counted.log");
    const s = sink({ path });
    const before = Date.now();
    expect(existsSync(path)).toBe(false);
    await s.start(silentLogger());
    expect(existsSync(path)).toBe(true);
    expect(s.counter.ConnectionCreatedCount).toBe(1);
    expect(s.counter.ConnectionClosedCount).toBe(0);
    expect(s.counter.StartTime).toBeGreaterThanOrEqual(before);
    await s.stop();
    await s.stop(); // a second stop is a no-op
    expect(s.counter.ConnectionClosedCount).toBe(1);
    expect(s.counter.StopTime).toBeGreaterThanOrEqual(s.counter.StartTime);
  });

  it("cuts a batch that failed part-way back out of the file, so the retry does not duplicate lines", async () => {
    const path = join(dir.path, "partial.log");
    writeFileSync(path, "before\n");
    const s = await started({ path });
    await s.write([event("committed")]);
    // Half of the batch reaches the file, then the disk is full.
    const broken = breakWrites(s.files, (call, length) => (call === 1 ? Math.ceil(length / 2) : "fail"));
    await expect(s.write(numberedEvents(4, "batch"))).rejects.toThrow(`sink \`out\` cannot write ${path}: no space left on the device (ENOSPC)`);
    expect(broken.calls()).toBe(2);
    expect(text(path)).toBe("before\ncommitted\n");
    broken.restore();
    await s.write(numberedEvents(4, "batch"));
    expect(text(path)).toBe("before\ncommitted\nbatch0\nbatch1\nbatch2\nbatch3\n");
  });

  it("opens the file again for the retry after a failure (the path may have been fixed meanwhile)", async () => {
    const path = join(dir.path, "reopened.log");
    const s = await started({ path });
    const broken = breakWrites(s.files, () => "fail");
    await expect(s.write([event("a")])).rejects.toThrow(/ENOSPC/);
    expect(s.counter.ConnectionClosedCount).toBe(1);
    broken.restore();
    unlinkSync(path); // replaced by a new file
    await s.write([event("a")]);
    expect(text(path)).toBe("a\n");
    expect(s.counter.ConnectionCreatedCount).toBe(2);
  });

  it("closes the file after idle_timeout and appends to it again on the next event", async () => {
    const path = join(dir.path, "idle.log");
    const s = await started({ path, idle_timeout: 30 });
    await s.write([event("one")]);
    await waitFor("the idle file to be closed", () => s.counter.ConnectionClosedCount === 1, 5_000);
    expect(s.files.openFiles).toBe(0);
    await s.write([event("two")]);
    expect(s.counter.ConnectionCreatedCount).toBe(2);
    expect(text(path)).toBe("one\ntwo\n");
  });
});

describe("FilesSink: path templates", () => {
  it("puts each event in the file its headers and time name, creating directories", async () => {
    const s = await started({ path: join(dir.path, "%{dept}", "%Y-%m-%d", "%H.log"), time_zone: "UTC" });
    const t = Date.UTC(2026, 10, 21, 9, 15);
    await s.write([
      event("a1", { dept: "ops", timestamp: String(t) }),
      event("b1", { dept: "web", timestamp: String(t) }),
      event("a2", { dept: "ops", timestamp: String(t + 3_600_000) }),
      event("a3", { dept: "ops", timestamp: String(t + 60_000) }),
    ]);
    expect(filesUnder(dir.path)).toEqual(["ops/2026-11-21/09.log", "ops/2026-11-21/10.log", "web/2026-11-21/09.log"]);
    expect(text(join(dir.path, "ops/2026-11-21/09.log"))).toBe("a1\na3\n");
    expect(text(join(dir.path, "ops/2026-11-21/10.log"))).toBe("a2\n");
    expect(s.counter.ConnectionCreatedCount).toBe(3);
  });

  it("rounds the time down and uses the agent's clock for events without a timestamp (counted, logged once)", async () => {
    const { log, lines } = recordingLogger();
    const s = sink({ path: join(dir.path, "%Y%m%d-%H%M.log"), round_down: 600_000, time_zone: "UTC" });
    await s.start(log);
    await s.write([event("x", { timestamp: String(Date.UTC(2012, 5, 12, 11, 54, 34)) }), event("no time"), event("bad time", { timestamp: "soon" })]);
    await s.write([event("again")]);
    expect(filesUnder(dir.path)[0]).toBe("20120612-1150.log");
    expect(filesUnder(dir.path)).toHaveLength(2);
    expect(s.counter.TimestampFallbackCount).toBe(3);
    expect(lines.filter((line) => line.includes("TimestampFallbackCount"))).toHaveLength(1);
  });

  it("closes the least recently written file beyond max_open_files, and appends to it again later", async () => {
    const s = await started({ path: join(dir.path, "%{n}.log"), max_open_files: 2 });
    await s.write([event("a", { n: "1" }), event("b", { n: "2" })]);
    await s.write([event("c", { n: "1" })]); // 1 is now the most recent
    await s.write([event("d", { n: "3" })]); // closes 2
    expect(s.files.openFiles).toBe(2);
    expect(s.counter.ConnectionClosedCount).toBe(1);
    await s.write([event("e", { n: "2" })]); // reopens 2, closes 1
    expect(s.counter.ConnectionClosedCount).toBe(2);
    expect(s.counter.ConnectionCreatedCount).toBe(4);
    expect(text(join(dir.path, "1.log"))).toBe("a\nc\n");
    expect(text(join(dir.path, "2.log"))).toBe("b\ne\n");
    expect(text(join(dir.path, "3.log"))).toBe("d\n");
  });

  it("fails a batch whose directory cannot be made, clearly, leaving nothing of it in the other files", async () => {
    const s = await started({ path: join(dir.path, "%{dept}", "events.log") });
    await s.write([event("ok-0", { dept: "ops" })]);
    writeFileSync(join(dir.path, "blocked"), "a file where the sink wants a directory");
    const batch = [event("ok-1", { dept: "ops" }), event("lost?", { dept: "blocked" }), event("ok-2", { dept: "ops" })];
    await expect(s.write(batch)).rejects.toThrow(`sink \`out\` cannot open ${join(dir.path, "blocked", "events.log")}: a part of the path exists and is not a directory (EEXIST)`);
    expect(s.counter.ConnectionFailedCount).toBe(1);
    expect(text(join(dir.path, "ops", "events.log"))).toBe("ok-0\n");
    rmSync(join(dir.path, "blocked"));
    await s.write(batch);
    expect(text(join(dir.path, "ops", "events.log"))).toBe("ok-0\nok-1\nok-2\n");
    expect(text(join(dir.path, "blocked", "events.log"))).toBe("lost?\n");
  });

  it("refuses a bad template, time zone or rounding when constructed (exit code 78)", () => {
    const attempt = (options: Partial<FilesSinkOptions>): UserFacingError => {
      try {
        new FilesSink("out", { path: "x.log", ...options });
      } catch (error) {
        return error as UserFacingError;
      }
      throw new Error("constructed");
    };
    expect(attempt({ path: "logs/%Q.log" }).message).toBe('sink `out`: property `path` ("logs/%Q.log"): unknown escape `%Q` (write `%%` for a literal `%`)');
    expect(attempt({ path: "logs/%Q.log" }).exitCode).toBe(78);
    expect(attempt({ time_zone: "Moon/Base" }).message).toBe('sink `out`: property `time_zone` ("Moon/Base"): not a time zone: an IANA name such as `UTC` or `Europe/Paris`, or empty for the agent\'s own');
    expect(attempt({ round_down: 90_000 }).message).toBe("sink `out`: property `round_down`: must be whole seconds up to 60s, whole minutes up to 60m, or whole hours up to 24h");
    expect(attempt({ path: "logs/%Y/" }).message).toBe('sink `out`: property `path` ("logs/%Y/"): names a directory; it must name a file');
    expect(attempt({ in_use_suffix: "/tmp" }).message).toBe('sink `out`: property `in_use_suffix` ("/tmp"): must not contain `/`');
  });

  it("refuses to start when the template's fixed directory cannot be written", async () => {
    writeFileSync(join(dir.path, "file"), "");
    const s = sink({ path: join(dir.path, "file", "%Y", "x.log") });
    await expect(s.start(silentLogger())).rejects.toThrow(`sink \`out\` cannot write in ${join(dir.path, "file")}: a part of the path exists and is not a directory (EEXIST)`);
  });
});

describe("FilesSink: rolling", () => {
  it("rolls by event count, across batches, writing under .tmp and renaming each finished file", async () => {
    const path = join(dir.path, "events");
    const s = await started({ path, roll_count: 10 });
    for (let i = 0; i < 25; i += 7) await s.write(numberedEvents(Math.min(7, 25 - i), "e", i));
    // Two files finished, the third in progress.
    const names = series(dir.path, /^events\.\d+(\.tmp)?$/);
    expect(names.map((name) => name.replace(/\d+/, "N"))).toEqual(["events.N", "events.N", "events.N.tmp"]);
    expect(counterOf(names[0] as string)).toBeLessThan(counterOf(names[1] as string));
    expect(text(join(dir.path, names[0] as string))).toBe(numberedEvents(10).map((e) => `${e.body}\n`).join(""));
    expect(text(join(dir.path, names[2] as string))).toBe(numberedEvents(5, "e", 20).map((e) => `${e.body}\n`).join(""));
    await s.stop();
    expect(series(dir.path, /^events\./)).toEqual(names.map((name) => name.replace(/\.tmp$/, "")));
    expect(s.counter.ConnectionCreatedCount).toBe(3);
    expect(s.counter.ConnectionClosedCount).toBe(3);
  });

  it("rolls by size before a file would pass roll_size; a larger event gets a file of its own", async () => {
    const path = join(dir.path, "sized");
    const s = await started({ path, roll_size: 35 });
    await s.write([...numberedEvents(4, "nine-byt"), event("x".repeat(50)), event("tail")]);
    await s.stop();
    const contents = series(dir.path, /^sized\.\d+$/).map((name) => text(join(dir.path, name)));
    expect(contents).toEqual(["nine-byt0\nnine-byt1\nnine-byt2\n", `nine-byt3\n`, `${"x".repeat(50)}\n`, "tail\n"]);
  });

  it("finishes a file roll_interval after it was opened; the next event starts a new one", async () => {
    const s = await started({ path: join(dir.path, "timed"), roll_interval: 50 });
    await s.write([event("first")]);
    await waitFor("the first file to be finished", () => series(dir.path, /^timed\.\d+$/).length === 1, 5_000);
    expect(readdirSync(dir.path).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    await s.write([event("second")]);
    await waitFor("the second file to be finished", () => series(dir.path, /^timed\.\d+$/).length === 2, 5_000);
    expect(series(dir.path, /^timed\.\d+$/).map((name) => text(join(dir.path, name)))).toEqual(["first\n", "second\n"]);
  });

  it("finishes a file that received nothing for idle_timeout", async () => {
    const s = await started({ path: join(dir.path, "idle"), roll_count: 1_000, idle_timeout: 40 });
    await s.write([event("a")]);
    await s.write([event("b")]);
    await waitFor("the idle file to be finished", () => series(dir.path, /^idle\.\d+$/).length === 1, 5_000);
    expect(s.files.openFiles).toBe(0);
    expect(text(join(dir.path, series(dir.path, /^idle\.\d+$/)[0] as string))).toBe("a\nb\n");
  });

  it("names files with in_use_prefix, in_use_suffix and suffix; without in-use affixes it writes final names", async () => {
    const s = await started({ path: join(dir.path, "web"), roll_count: 2, in_use_prefix: "_", in_use_suffix: ".part", suffix: ".log" });
    await s.write(numberedEvents(3));
    expect(readdirSync(dir.path).map((name) => name.replace(/\d{6,}/, "N")).sort()).toEqual(["_web.N.log.part", "web.N.log"]);
    await s.stop();
    const plain = await started({ path: join(dir.path, "plain", "p"), roll_count: 2, in_use_suffix: "" });
    await plain.write(numberedEvents(3));
    expect(readdirSync(join(dir.path, "plain")).map((name) => name.replace(/\d{6,}/, "N")).sort()).toEqual(["p.N", "p.N"]);
  });

  it("writes gzip that the real zcat reads, a member per batch, while in progress and once finished", async () => {
    const s = await started({ path: join(dir.path, "zipped"), suffix: ".log", compression: "gzip", roll_count: 100 });
    await s.write(numberedEvents(3, "a"));
    await s.write(numberedEvents(2, "b"));
    const inProgress = series(dir.path, /^zipped\.\d+\.log\.gz\.tmp$/);
    expect(inProgress).toHaveLength(1);
    expect(execFileSync("zcat", [join(dir.path, inProgress[0] as string)], { encoding: "utf8" })).toBe("a0\na1\na2\nb0\nb1\n");
    await s.stop();
    const finished = series(dir.path, /^zipped\.\d+\.log\.gz$/);
    expect(finished).toHaveLength(1);
    expect(execFileSync("gunzip", ["-c", join(dir.path, finished[0] as string)], { encoding: "utf8" })).toBe("a0\na1\na2\nb0\nb1\n");
    execFileSync("gzip", ["-t", join(dir.path, finished[0] as string)]);
  });

  it("writes JSON lines that read back to the events, headers and all", async () => {
    const s = await started({ path: join(dir.path, "events.json"), format: "json" });
    const events = [event("plain", { host: "web-1", timestamp: "1700000000000" }), event('quotes " and \\ and\nnewline'), event(Buffer.from([0x68, 0x69, 0xff]))];
    await s.write(events);
    const lines = text(join(dir.path, "events.json")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { headers: { host: "web-1", timestamp: "1700000000000" }, body: "plain" },
      { headers: {}, body: 'quotes " and \\ and\nnewline' },
      { headers: {}, body: "hi\udcff" },
    ]);
  });

  it("appends gzip members to one file, and first cuts off a member torn by a crash", async () => {
    const path = join(dir.path, "events.log.gz");
    const first = await started({ path, compression: "gzip" });
    await first.write(numberedEvents(2, "a"));
    await first.stop();
    const torn = gzipSync("torn batch\n");
    appendFileSync(path, torn.subarray(0, torn.length - 6)); // a crash mid-write
    const { log, lines } = recordingLogger();
    const second = sink({ path, compression: "gzip" });
    await second.start(log);
    await second.write(numberedEvents(2, "b"));
    expect(execFileSync("zcat", [path], { encoding: "utf8" })).toBe("a0\na1\nb0\nb1\n");
    expect(lines.join("")).toContain("cut an incomplete gzip member");
  });

  it("leaves neither bytes nor new files behind when a batch that spans files fails, and keeps the filled file open", async () => {
    const s = await started({ path: join(dir.path, "span"), roll_count: 3 });
    await s.write(numberedEvents(2, "ok"));
    // The batch fills the current file (1 event), then another (3), then fails in the third.
    const broken = breakWrites(s.files, (call, length) => (call < 3 ? length : "fail"));
    await expect(s.write(numberedEvents(6, "x"))).rejects.toThrow(/ENOSPC/);
    broken.restore();
    const afterFailure = readdirSync(dir.path);
    expect(afterFailure).toHaveLength(1);
    expect(afterFailure[0]).toMatch(/^span\.\d+\.tmp$/);
    expect(text(join(dir.path, afterFailure[0] as string))).toBe("ok0\nok1\n");
    await s.write(numberedEvents(6, "x"));
    await s.stop();
    const contents = series(dir.path, /^span\.\d+$/).map((name) => text(join(dir.path, name)));
    expect(contents).toEqual(["ok0\nok1\nx0\n", "x1\nx2\nx3\n", "x4\nx5\n"]);
  });

  it("lets a roll_interval that expires during a slow write wait for it: every event once, in order", async () => {
    const s = await started({ path: join(dir.path, "slow"), roll_interval: 5 });
    const io = s.files.io as { write: FileIo["write"] };
    const real = io.write;
    io.write = async (handle, buffer, offset, length) => {
      await new Promise((resolve) => setTimeout(resolve, 20)); // longer than roll_interval
      return real(handle, buffer, offset, length);
    };
    for (let i = 0; i < 5; i++) await s.write(numberedEvents(3, "e", i * 3));
    await s.stop();
    const names = series(dir.path, /^slow\.\d+$/);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.map((name) => text(join(dir.path, name))).join("")).toBe(numberedEvents(15).map((e) => `${e.body}\n`).join(""));
  });

  it("rolls with `sync: true` (files and directories flushed), into directories it creates", async () => {
    const s = await started({ path: join(dir.path, "new", "deeper", "synced"), roll_count: 2, sync: true });
    await s.write(numberedEvents(5));
    await s.stop();
    expect(series(join(dir.path, "new", "deeper"), /^synced\.\d+$/).map((name) => text(join(dir.path, "new", "deeper", name)))).toEqual(["e0\ne1\n", "e2\ne3\n", "e4\n"]);
  });

  it("counts and logs a finished file that cannot be renamed, without failing the batch", async () => {
    const { log, lines } = recordingLogger();
    const s = sink({ path: join(dir.path, "gone"), roll_count: 2 });
    await s.start(log);
    await s.write([event("a")]);
    unlinkSync(join(dir.path, readdirSync(dir.path)[0] as string)); // someone removes the in-progress file
    await s.write([event("b"), event("c")]);
    expect(s.counter.ConnectionFailedCount).toBe(1);
    expect(lines.join("")).toContain("cannot rename a finished file: it is gone");
    await s.write([event("d")]);
    expect(s.counter.ConnectionFailedCount).toBe(1);
  });
});

describe("FilesSink: restart after a crash", () => {
  it("finishes the in-progress files an earlier run left, cutting a torn last line, and only those", async () => {
    const root = join(dir.path, "logs");
    mkdirSync(join(root, "ops", "2026-11-20"), { recursive: true });
    mkdirSync(join(root, "web", "2026-11-21"), { recursive: true });
    writeFileSync(join(root, "ops", "2026-11-20", "app.1795000000000.log.tmp"), "complete 1\ncomplete 2\ntorn li");
    writeFileSync(join(root, "web", "2026-11-21", "app.1795000000001.log.tmp"), "whole\n");
    writeFileSync(join(root, "web", "2026-11-21", "other.tmp"), "not ours\n");
    writeFileSync(join(root, "web", "unrelated.1795000000002.log.tmp"), "wrong depth\n");
    const { log, lines } = recordingLogger();
    const s = sink({ path: join(root, "%{dept}", "%Y-%m-%d", "app"), suffix: ".log", roll_interval: 60_000 });
    await s.start(log);
    expect(filesUnder(root)).toEqual([
      "ops/2026-11-20/app.1795000000000.log",
      "web/2026-11-21/app.1795000000001.log",
      "web/2026-11-21/other.tmp",
      "web/unrelated.1795000000002.log.tmp",
    ]);
    expect(text(join(root, "ops", "2026-11-20", "app.1795000000000.log"))).toBe("complete 1\ncomplete 2\n");
    expect(text(join(root, "web", "2026-11-21", "app.1795000000001.log"))).toBe("whole\n");
    expect(lines.join("")).toContain("finished in-progress files left by an earlier run");
  });

  it("finishes gzip files left in progress, cutting a torn member, so zcat reads them cleanly", async () => {
    const torn = gzipSync("torn\n");
    writeFileSync(join(dir.path, "z.1795000000000.gz.tmp"), Buffer.concat([gzipSync("one\n"), gzipSync("two\n"), torn.subarray(0, 12)]));
    const s = await started({ path: join(dir.path, "z"), compression: "gzip", roll_count: 10 });
    expect(readdirSync(dir.path)).toEqual(["z.1795000000000.gz"]);
    expect(execFileSync("zcat", [join(dir.path, "z.1795000000000.gz")], { encoding: "utf8" })).toBe("one\ntwo\n");
    await s.write([event("new")]);
    await s.stop();
    expect(readdirSync(dir.path)).toHaveLength(2);
  });
});

describe("FilesSink: metrics", () => {
  it("has Flume's SinkCounter attributes plus TimestampFallbackCount, each in the metrics catalogue", () => {
    const names: string[] = [];
    forEachAttribute(new FilesSinkCounter(), (name) => {
      names.push(name);
      expect(attributeMetric(name)?.on, name).toContain("SINK");
    });
    expect(names).toContain("TimestampFallbackCount");
    expect(names).toContain("ConnectionCreatedCount");
  });
});
