import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FileIo } from "../../../runtime/sinks/file-output/file-set";
import { FileRollSink, type FileRollSinkOptions } from "../../../runtime/sinks/file-roll/file-roll-sink";
import { fileRollSinkSpec } from "../../../runtime/sinks/file-roll/spec";
import { event, numberedEvents } from "../../helpers/events";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

let dir: ReturnType<typeof createTempDir>;
const openSinks: FileRollSink[] = [];

beforeEach(() => {
  dir = createTempDir("flowc-file-roll-");
});

afterEach(async () => {
  for (const sink of openSinks.splice(0)) await sink.stop();
  dir.remove();
});

async function started(options: Partial<FileRollSinkOptions> = {}): Promise<FileRollSink> {
  const sink = new FileRollSink("roll", { directory: join(dir.path, "out"), ...options });
  openSinks.push(sink);
  await sink.start(silentLogger());
  return sink;
}

/** The files of the directory as `[series, index, content]`, in order. */
function files(directory = join(dir.path, "out"), pattern = /^(\d+)-(\d+)$/): [number, number, string][] {
  return readdirSync(directory)
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((file): file is { name: string; match: RegExpExecArray } => file.match !== null)
    .map((file): [number, number, string] => [Number(file.match[1]), Number(file.match[2]), readFileSync(join(directory, file.name), "utf8")])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

describe("FileRollSink", () => {
  it("has Flume's defaults: a 30s roll interval and batches of 100", () => {
    const sink = new FileRollSink("roll", { directory: "x" });
    expect(sink.batchSize).toBe(100);
    expect(fileRollSinkSpec.properties.roll_interval.default).toBe(30_000);
  });

  it("names files <series>-<n> as Flume does: the series is the time it started, n counts from 1", async () => {
    const before = Date.now();
    const sink = await started({ roll_interval: 0 });
    await sink.write(numberedEvents(2, "a"));
    await sink.write(numberedEvents(1, "b"));
    await sink.stop();
    const written = files();
    expect(written).toHaveLength(1);
    const [series, index, content] = written[0] as [number, number, string];
    expect(series).toBeGreaterThanOrEqual(before);
    expect(series).toBeLessThanOrEqual(Date.now());
    expect(index).toBe(1);
    expect(content).toBe("a0\na1\nb0\n");
  });

  it("puts the prefix and suffix around the name", async () => {
    const sink = await started({ roll_interval: 0, prefix: "events-", suffix: ".log" });
    await sink.write([event("x")]);
    expect(files(join(dir.path, "out"), /^events-(\d+)-(\d+)\.log$/).map(([, index, content]) => [index, content])).toEqual([[1, "x\n"]]);
  });

  it("starts a new file roll_interval after the last one was opened, and makes no empty files while quiet", async () => {
    const sink = await started({ roll_interval: 40 });
    await sink.write([event("first")]);
    await waitFor("the first file to be closed", () => sink.counter.ConnectionClosedCount === 1, 5_000);
    // Several intervals without events: no new file.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(files()).toHaveLength(1);
    await sink.write([event("second")]);
    await sink.write([event("third")]);
    const written = files();
    expect(written.map(([, index, content]) => [index, content])).toEqual([
      [1, "first\n"],
      [2, "second\nthird\n"],
    ]);
    expect(new Set(written.map(([series]) => series)).size).toBe(1);
  });

  it("writes JSON lines", async () => {
    const sink = await started({ roll_interval: 0, format: "json" });
    await sink.write([event("body", { host: "h" })]);
    expect(JSON.parse((files()[0] as [number, number, string])[2])).toEqual({ headers: { host: "h" }, body: "body" });
  });

  it("starts a new series after a restart, and cuts a line torn by a crash from the newest earlier file", async () => {
    const out = join(dir.path, "out");
    const first = await started({ roll_interval: 0 });
    await first.write([event("one")]);
    await first.stop();
    const [firstSeries] = files()[0] as [number, number, string];
    writeFileSync(join(out, `${firstSeries}-1`), "one\ntorn"); // the crash
    writeFileSync(join(out, `${firstSeries - 10_000}-7`), "older\nnot ours to touch"); // an older series
    const { log, lines } = recordingLogger();
    const second = new FileRollSink("roll", { directory: out, roll_interval: 0 });
    openSinks.push(second);
    await second.start(log);
    await second.write([event("two")]);
    const written = files();
    expect(written.map(([, index, content]) => [index, content])).toEqual([
      [7, "older\nnot ours to touch"],
      [1, "one\n"],
      [1, "two\n"],
    ]);
    expect((written[2] as [number, number, string])[0]).toBeGreaterThan(firstSeries);
    expect(lines.join("")).toContain("cut a batch torn by a crash");
  });

  it("cuts a batch that failed part-way back out of the file", async () => {
    const sink = await started({ roll_interval: 0 });
    await sink.write([event("kept")]);
    const io = sink.files.io as { write: FileIo["write"] };
    const real = io.write;
    let calls = 0;
    io.write = (handle, buffer, offset, length) => {
      calls++;
      if (calls === 1) return real(handle, buffer, offset, 3);
      return Promise.reject(Object.assign(new Error("ENOSPC"), { code: "ENOSPC" }));
    };
    await expect(sink.write(numberedEvents(3))).rejects.toThrow(/cannot write .*: no space left on the device \(ENOSPC\)/);
    expect((files()[0] as [number, number, string])[2]).toBe("kept\n");
    io.write = real;
    await sink.write(numberedEvents(3));
    expect((files()[0] as [number, number, string])[2]).toBe("kept\ne0\ne1\ne2\n");
  });

  it("refuses to start when its directory cannot be made", async () => {
    writeFileSync(join(dir.path, "file"), "");
    const sink = new FileRollSink("roll", { directory: join(dir.path, "file", "sub") });
    const error = await sink.start(silentLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe(`sink \`roll\` cannot use directory ${join(dir.path, "file", "sub")}: a part of the path is a file, not a directory (ENOTDIR)`);
  });

  it("refuses a prefix or suffix with a `/` (exit code 78)", () => {
    expect(() => new FileRollSink("roll", { directory: "x", prefix: "a/b" })).toThrow('sink `roll`: property `prefix` ("a/b"): must not contain `/`');
  });

  it("refuses to write before start and after stop, and stops twice", async () => {
    const sink = new FileRollSink("roll", { directory: join(dir.path, "out") });
    await expect(sink.write([event("early")])).rejects.toThrow(/not started/);
    await sink.stop();
    await sink.start(silentLogger());
    await sink.write([event("x")]);
    await sink.stop();
    await sink.stop();
    await expect(sink.write([event("late")])).rejects.toThrow(/not started/);
    expect(sink.counter.ConnectionCreatedCount).toBe(1);
    expect(sink.counter.ConnectionClosedCount).toBe(1);
  });
});
