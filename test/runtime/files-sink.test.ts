import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../runtime/core/errors";
import { FilesSink, type FilesSinkConfig } from "../../runtime/sinks/files/files-sink";
import { event, numberedEvents } from "../helpers/events";
import { silentLogger } from "../helpers/silent-logger";
import { createTempDir } from "../helpers/temp-dir";

let dir: ReturnType<typeof createTempDir>;
const openSinks: FilesSink[] = [];

beforeEach(() => {
  dir = createTempDir("flowc-files-sink-");
});

afterEach(async () => {
  for (const sink of openSinks.splice(0)) await sink.stop();
  dir.remove();
});

function sink(config: Partial<FilesSinkConfig> & { path: string }): FilesSink {
  const created = new FilesSink("out", { batch_size: 100, sync: false, ...config });
  openSinks.push(created);
  return created;
}

describe("FilesSink", () => {
  it("appends each body and a newline, in order, across batches", async () => {
    const path = join(dir.path, "out.log");
    const s = sink({ path });
    await s.start(silentLogger());
    await s.write(numberedEvents(3, "a"));
    await s.write([]);
    await s.write([event(""), event("b")]);
    expect(readFileSync(path, "utf8")).toBe("a0\na1\na2\n\nb\n");
  });

  it("writes bodies byte for byte", async () => {
    const path = join(dir.path, "bytes.log");
    const s = sink({ path });
    await s.start(silentLogger());
    const binary = Buffer.from([0x00, 0xff, 0xc3, 0x0d]);
    await s.write([event("日本語 ✓"), event(binary)]);
    const expected = Buffer.concat([Buffer.from("日本語 ✓\n", "utf8"), binary, Buffer.from("\n")]);
    expect(Buffer.compare(readFileSync(path), expected)).toBe(0);
  });

  it("writes a batch larger than its reusable buffer", async () => {
    const path = join(dir.path, "big.log");
    const s = sink({ path });
    await s.start(silentLogger());
    const line = "x".repeat(10_000);
    const events = Array.from({ length: 60 }, (_, i) => event(`${i}:${line}`)); // ~600 KB > 256 KiB
    await s.write(events);
    await s.write([event("after")]);
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(62); // 61 lines and the empty string after the last newline
    for (let i = 0; i < 60; i++) expect(lines[i]).toBe(`${i}:${line}`);
    expect(lines[60]).toBe("after");
  });

  it("creates missing parent directories", async () => {
    const path = join(dir.path, "a", "b", "c", "out.log");
    const s = sink({ path });
    await s.start(silentLogger());
    await s.write([event("deep")]);
    expect(readFileSync(path, "utf8")).toBe("deep\n");
  });

  it("appends to an existing file instead of truncating it", async () => {
    const path = join(dir.path, "existing.log");
    writeFileSync(path, "kept 1\nkept 2\n");
    const s = sink({ path });
    await s.start(silentLogger());
    await s.write([event("new")]);
    expect(readFileSync(path, "utf8")).toBe("kept 1\nkept 2\nnew\n");
  });

  it("continues the file across a restart", async () => {
    const path = join(dir.path, "restart.log");
    const first = sink({ path });
    await first.start(silentLogger());
    await first.write([event("one")]);
    await first.stop();
    const second = sink({ path });
    await second.start(silentLogger());
    await second.write([event("two")]);
    expect(readFileSync(path, "utf8")).toBe("one\ntwo\n");
  });

  it("writes with `sync: true`", async () => {
    const path = join(dir.path, "synced.log");
    const s = sink({ path, sync: true });
    await s.start(silentLogger());
    await s.write(numberedEvents(2));
    await s.write(numberedEvents(1, "e", 2));
    expect(readFileSync(path, "utf8")).toBe("e0\ne1\ne2\n");
  });

  it("exposes its batch size", () => {
    expect(sink({ path: join(dir.path, "x.log"), batch_size: 42 }).batchSize).toBe(42);
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
    expect((error as UserFacingError).message).toContain("sink `out` cannot open");
    expect((error as UserFacingError).message).toContain(path);
    expect(s.counter.ConnectionCreatedCount).toBe(0);
  });

  it("rejects with UserFacingError when the path is a directory", async () => {
    const s = sink({ path: dir.path });
    await expect(s.start(silentLogger())).rejects.toBeInstanceOf(UserFacingError);
  });

  it("refuses to write before start and after stop", async () => {
    const path = join(dir.path, "lifecycle.log");
    const s = sink({ path });
    await expect(s.write([event("early")])).rejects.toThrow(/not started/);
    await s.start(silentLogger());
    await s.stop();
    await expect(s.write([event("late")])).rejects.toThrow(/not started/);
    expect(readFileSync(path, "utf8")).toBe("");
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
    const s = sink({ path });
    await s.start(silentLogger());
    await s.write([event("committed")]);

    // White-box: make the open file handle write half of the batch, then fail like a full disk.
    const handle = (s as unknown as { file: FileHandle | undefined }).file;
    expect(handle, "FilesSink keeps its open handle in `file`").toBeDefined();
    type Write = (buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;
    const target = handle as unknown as { write: Write };
    const realWrite = target.write;
    let calls = 0;
    target.write = (buffer: Buffer, offset: number, length: number) => {
      calls++;
      if (calls === 1) return realWrite.call(handle, buffer, offset, Math.ceil(length / 2));
      return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
    };
    await expect(s.write(numberedEvents(4, "batch"))).rejects.toThrow(/ENOSPC/);
    expect(calls).toBe(2);
    expect(readFileSync(path, "utf8")).toBe("before\ncommitted\n");

    delete (target as { write?: unknown }).write; // back to the prototype's write
    await s.write(numberedEvents(4, "batch"));
    expect(readFileSync(path, "utf8")).toBe("before\ncommitted\nbatch0\nbatch1\nbatch2\nbatch3\n");
  });
});
