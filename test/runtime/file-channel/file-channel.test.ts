import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChannelDiskError } from "../../../runtime/channels/file/channel-disk-error";
import { NODE_DISK_IO, type DiskIo } from "../../../runtime/channels/file/disk-io";
import type { FileChannel } from "../../../runtime/channels/file/file-channel";
import { LOCK_FILE } from "../../../runtime/core/dir-lock";
import { ChannelFullError, TransactionStateError, UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { putCommitted, takeAll, takeCommitted } from "../../helpers/channel-io";
import { bodies, event, numberedEvents } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { recordingLogger } from "../../helpers/silent-logger";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { crashCopy, openChannel, segmentBytes, segmentFiles } from "./harness";

let temp: { readonly path: string; remove(): void };
let dir: string;
/** Channels to stop after each test, whatever happened. */
const open: FileChannel[] = [];

async function channel(...args: Parameters<typeof openChannel>): Promise<FileChannel> {
  const ch = await openChannel(...args);
  open.push(ch);
  return ch;
}

/** Stops `ch` and opens a new channel on the same directory (a clean restart). */
async function restart(ch: FileChannel, values: Parameters<typeof openChannel>[1] = {}): Promise<FileChannel> {
  await ch.stop();
  return channel(dir, values);
}

beforeEach(() => {
  temp = createTempDir("flowc-file-channel-");
  dir = join(temp.path, "ch");
});

afterEach(async () => {
  for (const ch of open.splice(0)) await ch.stop();
  temp.remove();
});

/** Events with bodies `${prefix}${i}` padded with dots to 100 bytes, so a few batches fill a small segment. */
function padded(count: number, prefix: string): FlowEvent[] {
  return numberedEvents(count, prefix).map((e) => event(e.body.toString().padEnd(100, ".")));
}

function unpadded(events: readonly FlowEvent[]): string[] {
  return bodies(events).map((body) => body.replace(/\.+$/, ""));
}

describe("FileChannel", () => {
  describe("transactions", () => {
    it("round-trips events with headers and binary bodies through put/commit and take/commit", async () => {
      const ch = await channel(dir);
      const headers = { host: "a", "ключ": "значение", cafe: "café ☕", long: "x".repeat(100), "": "" };
      const events = [event("héllo", headers), event(Buffer.from([0x00, 0xff, 0x0a])), event("")];
      putCommitted(ch, events);
      expect(ch.size()).toBe(3);
      const taken = takeCommitted(ch);
      expect(bodies(taken)).toEqual(["héllo", "\u0000\ufffd\n", ""]);
      expect(taken[0]?.headers).toEqual(headers);
      expect(taken[1]?.body).toEqual(Buffer.from([0x00, 0xff, 0x0a]));
      expect(ch.size()).toBe(0);
      // The same, decoded from the segment after a restart.
      putCommitted(ch, events);
      const after = await restart(ch);
      const decoded = takeCommitted(after);
      expect(bodies(decoded)).toEqual(["héllo", "\u0000\ufffd\n", ""]);
      expect(decoded[0]?.headers).toEqual(headers);
      expect(decoded[1]?.headers).toEqual({});
    });

    it("makes events visible to takers only on commit and adds nothing on rollback", async () => {
      const ch = await channel(dir);
      const txn = ch.beginPut();
      txn.put(numberedEvents(3));
      expect(takeCommitted(ch)).toEqual([]);
      txn.commit();
      const undone = ch.beginPut();
      undone.put(numberedEvents(2, "x"));
      undone.rollback();
      expect(bodies(takeAll(ch))).toEqual(["e0", "e1", "e2"]);
      expect(ch.counter.EventPutSuccessCount).toBe(3);
    });

    it("returns rolled-back takes to the head in their original order", async () => {
      const ch = await channel(dir);
      putCommitted(ch, numberedEvents(6));
      const txn = ch.beginTake();
      const taken = [...txn.take(2), ...txn.take(2)];
      expect(bodies(taken)).toEqual(["e0", "e1", "e2", "e3"]);
      putCommitted(ch, [event("later")]);
      txn.rollback();
      expect(ch.size()).toBe(7);
      expect(bodies(takeCommitted(ch, 4))).toEqual(["e0", "e1", "e2", "e3"]);
      expect(bodies(takeAll(ch))).toEqual(["e4", "e5", "later"]);
    });

    it("refuses a commit beyond capacity with ChannelFullError, counting open takes, and adds none of the batch", async () => {
      const ch = await channel(dir, { capacity: 5, transaction_capacity: 5 });
      putCommitted(ch, numberedEvents(3));
      const held = ch.beginTake();
      expect(held.take(2)).toHaveLength(2);
      expect(() => putCommitted(ch, numberedEvents(3, "x"))).toThrow(ChannelFullError);
      expect(() => putCommitted(ch, numberedEvents(3, "x"))).toThrow("`fc` is full (3 of 5 events)");
      putCommitted(ch, numberedEvents(2, "y"));
      expect(ch.size()).toBe(5);
      held.commit();
      expect(ch.size()).toBe(3);
      expect(bodies(takeAll(ch))).toEqual(["e2", "y0", "y1"]);
    });

    it("enforces transaction_capacity on both sides and never lets it exceed capacity", async () => {
      const ch = await channel(dir, { capacity: 100, transaction_capacity: 4 });
      expect(() => ch.beginPut().put(numberedEvents(5))).toThrow(TransactionStateError);
      expect(() => ch.beginPut().put(numberedEvents(5))).toThrow(/exceeds transaction_capacity 4/);
      putCommitted(ch, numberedEvents(4));
      putCommitted(ch, numberedEvents(4, "e", 4));
      const txn = ch.beginTake();
      expect(txn.take(3)).toHaveLength(3);
      expect(bodies(txn.take(100))).toEqual(["e3"]);
      expect(txn.take(100)).toEqual([]);
      txn.commit();
      await ch.stop();
      const small = await channel(join(temp.path, "small"), { capacity: 3, transaction_capacity: 10 });
      expect(small.transactionCapacity).toBe(3);
    });

    it("rejects use of finished transactions", async () => {
      const ch = await channel(dir);
      const put = ch.beginPut();
      put.put([event("a")]);
      put.commit();
      expect(() => put.put([event("b")])).toThrow(TransactionStateError);
      expect(() => put.rollback()).toThrow(TransactionStateError);
      const take = ch.beginTake();
      take.take(1);
      take.commit();
      expect(() => take.take(1)).toThrow(TransactionStateError);
      expect(() => take.rollback()).toThrow(TransactionStateError);
    });

    it("wakes readers on a put commit and writers on a take commit", async () => {
      const ch = await channel(dir, { capacity: 2, transaction_capacity: 2 });
      const readable = ch.whenReadable();
      expect(await isSettled(readable)).toBe(false);
      putCommitted(ch, numberedEvents(2));
      expect(await isSettled(readable)).toBe(true);
      const writable = ch.whenWritable();
      expect(await isSettled(writable)).toBe(false);
      takeCommitted(ch, 1);
      expect(await isSettled(writable)).toBe(true);
    });
  });

  describe("restarts", () => {
    it("replays exactly the committed, untaken events in order", async () => {
      let ch = await channel(dir);
      putCommitted(ch, numberedEvents(5, "a"));
      const undone = ch.beginPut();
      undone.put(numberedEvents(3, "never"));
      putCommitted(ch, numberedEvents(5, "b"));
      undone.rollback();
      ch = await restart(ch);
      expect(ch.size()).toBe(10);
      expect(bodies(takeAll(ch))).toEqual([...bodies(numberedEvents(5, "a")), ...bodies(numberedEvents(5, "b"))]);
    });

    it("does not replay taken events, and replays events of an open take first", async () => {
      let ch = await channel(dir);
      putCommitted(ch, numberedEvents(10));
      expect(bodies(takeCommitted(ch, 3))).toEqual(["e0", "e1", "e2"]);
      const open = ch.beginTake();
      expect(bodies(open.take(2))).toEqual(["e3", "e4"]);
      ch = await restart(ch);
      expect(bodies(takeAll(ch))).toEqual(["e3", "e4", "e5", "e6", "e7", "e8", "e9"]);
      ch = await restart(ch);
      expect(ch.size()).toBe(0);
    });

    it("survives a crash: committed puts and takes are on disk once the commit's write is done", async () => {
      const ch = await channel(dir);
      putCommitted(ch, numberedEvents(6));
      await ch.whenDurable();
      takeCommitted(ch, 2); // the take record is written before commit returns
      const held = ch.beginTake();
      held.take(1); // never committed: delivered again after the crash
      const copy = join(temp.path, "crashed");
      crashCopy(dir, copy);
      const after = await channel(copy);
      expect(bodies(takeAll(after))).toEqual(["e2", "e3", "e4", "e5"]);
    });

    it("keeps the sequence going across restarts (no reuse after the log was cleaned)", async () => {
      let ch = await channel(dir);
      putCommitted(ch, numberedEvents(3, "a"));
      takeAll(ch);
      ch = await restart(ch);
      putCommitted(ch, numberedEvents(3, "b"));
      ch = await restart(ch);
      expect(bodies(takeAll(ch))).toEqual(["b0", "b1", "b2"]);
    });
  });

  describe("segments and checkpoints", () => {
    const small = { max_segment_size: 4_096, cache_size: 0 };

    it("rolls to new segments, reads uncached events back from disk, and deletes fully taken segments", async () => {
      const ch = await channel(dir, small);
      for (let b = 0; b < 20; b++) {
        putCommitted(ch, padded(10, `b${b}-`));
        await ch.whenDurable();
      }
      const before = segmentFiles(dir);
      expect(before.length).toBeGreaterThan(3);
      const first = takeCommitted(ch, 100);
      expect(unpadded(first).slice(0, 3)).toEqual(["b0-0", "b0-1", "b0-2"]);
      expect(first).toHaveLength(100);
      const middle = segmentFiles(dir);
      expect(middle.length).toBeLessThan(before.length);
      expect(middle[0]).not.toBe(before[0]);
      const rest = takeAll(ch);
      expect(rest).toHaveLength(100);
      expect(unpadded(rest).at(-1)).toBe("b19-9");
      expect(segmentFiles(dir)).toEqual([before.at(-1)]); // only the one being written stays
    });

    it("replays only the log written after the checkpoint", async () => {
      let ch = await channel(dir, small);
      for (let b = 0; b < 30; b++) {
        putCommitted(ch, numberedEvents(10, `b${b}-`));
        await ch.whenDurable();
      }
      takeCommitted(ch, 25);
      await ch.checkpoint();
      expect(ch.counter.CheckpointCount).toBe(1);
      const atCheckpoint = segmentFiles(dir);
      for (let b = 30; b < 33; b++) {
        putCommitted(ch, numberedEvents(10, `b${b}-`));
        await ch.whenDurable();
      }
      takeCommitted(ch, 5);
      const copy = join(temp.path, "crashed");
      crashCopy(dir, copy);
      const total = segmentBytes(copy);
      ch = await channel(copy, small);
      const stats = ch.replayStats;
      expect(stats?.checkpoint).toBe("loaded");
      expect(stats?.checkpointEvents).toBe(275);
      expect(stats?.putRecords).toBe(3);
      expect(stats?.takeRecords).toBe(1);
      // Only the segment the checkpoint ended in and the ones after it were read, and not from their start.
      const lastAtCheckpoint = Number(/\d+/.exec(atCheckpoint.at(-1) as string)?.[0]);
      expect(Math.min(...(stats?.segmentsScanned ?? []))).toBe(lastAtCheckpoint);
      expect(stats?.bytesScanned).toBeLessThan(total / 5);
      const delivered = bodies(takeAll(ch));
      expect(delivered).toHaveLength(300);
      expect(delivered[0]).toBe("b3-0");
      expect(delivered.at(-1)).toBe("b32-9");

      // Without the checkpoint every segment is replayed, with the same result.
      const full = join(temp.path, "full");
      crashCopy(dir, full);
      rmSync(join(full, "checkpoint"));
      const replayed = await channel(full, small);
      expect(replayed.replayStats?.checkpoint).toBe("none");
      expect(replayed.replayStats?.putRecords).toBeGreaterThan(3);
      expect(bodies(takeAll(replayed))).toEqual(delivered);
    });

    it("writes a checkpoint at stop, so the next start reads no log at all", async () => {
      let ch = await channel(dir, small);
      for (let b = 0; b < 10; b++) putCommitted(ch, numberedEvents(10, `b${b}-`));
      takeCommitted(ch, 15);
      ch = await restart(ch, small);
      expect(ch.replayStats?.checkpoint).toBe("loaded");
      expect(ch.replayStats?.bytesScanned).toBe(0);
      expect(ch.size()).toBe(85);
      expect(bodies(takeAll(ch))[0]).toBe("b1-5");
    });

    it("replays every segment when the checkpoint is damaged", async () => {
      let ch = await channel(dir, small);
      for (let b = 0; b < 20; b++) putCommitted(ch, padded(10, `b${b}-`));
      takeCommitted(ch, 35);
      await ch.stop();
      const checkpoint = readFileSync(join(dir, "checkpoint"));
      checkpoint.writeUInt8(checkpoint.readUInt8(checkpoint.length - 1) ^ 0xff, checkpoint.length - 1);
      writeFileSync(join(dir, "checkpoint"), checkpoint);
      const { log, lines } = recordingLogger();
      ch = await channel(dir, small, { log });
      expect(ch.replayStats?.checkpoint).toBe("unusable");
      expect(lines.join("")).toContain('msg="checkpoint is unusable, replaying every segment"');
      const delivered = unpadded(takeAll(ch));
      expect(delivered).toHaveLength(165);
      expect(delivered[0]).toBe("b3-5");
    });

    it("reports the events of a segment that disappeared as lost, and delivers the rest", async () => {
      let ch = await channel(dir, small);
      for (let b = 0; b < 30; b++) putCommitted(ch, padded(10, `b${b}-`));
      await ch.stop();
      const files = segmentFiles(dir);
      expect(files.length).toBeGreaterThan(3);
      rmSync(join(dir, files[1] as string));
      const { log, lines } = recordingLogger();
      ch = await channel(dir, small, { log });
      const lost = ch.replayStats?.lostEvents ?? 0;
      expect(lost).toBeGreaterThan(0);
      expect(ch.counter.CorruptRecordCount).toBe(1);
      expect(lines.join("")).toMatch(new RegExp(`msg="events listed by the checkpoint are gone.*file=${join(dir, files[1] as string)} offset=\\d+ events=${lost}`));
      const delivered = unpadded(takeAll(ch));
      expect(delivered).toHaveLength(300 - lost);
      expect(delivered[0]).toBe("b0-0");
      expect(delivered.at(-1)).toBe("b29-9");
    });

    it("finds damage before the checkpoint when the events are read back: drops that batch, logs and counts it", async () => {
      let ch = await channel(dir, small);
      for (let b = 0; b < 3; b++) {
        putCommitted(ch, numberedEvents(5, `b${b}-`));
        await ch.whenDurable();
      }
      await ch.stop();
      const file = join(dir, segmentFiles(dir)[0] as string);
      const data = readFileSync(file);
      const at = data.indexOf("b1-3");
      data[at] = "X".charCodeAt(0);
      writeFileSync(file, data);
      const { log, lines } = recordingLogger();
      ch = await channel(dir, small, { log });
      expect(ch.size()).toBe(15);
      expect(bodies(takeAll(ch))).toEqual([...bodies(numberedEvents(5, "b0-")), ...bodies(numberedEvents(5, "b2-"))]);
      expect(ch.counter.EventTakeErrorCount).toBe(5);
      expect(ch.counter.CorruptRecordCount).toBe(1);
      expect(ch.size()).toBe(0);
      expect(lines.join("")).toMatch(/level=error msg="events cannot be read back.*file=\S+seg-\d+\.log offset=\d+ problem="checksum mismatch"/);
      ch = await restart(ch, small);
      expect(ch.size()).toBe(0); // the dropped batch is recorded as taken
    });
  });

  describe("group commit and durability", () => {
    /** An io whose fdatasyncs wait until the test releases them, or pass through once `release()` was called. */
    function heldSyncs(): { io: DiskIo; held: (() => void)[]; release(): void } {
      const held: (() => void)[] = [];
      let passThrough = false;
      const io: DiskIo = {
        ...NODE_DISK_IO,
        fdatasync: (fd, callback) => {
          if (passThrough) NODE_DISK_IO.fdatasync(fd, callback);
          else held.push(() => NODE_DISK_IO.fdatasync(fd, callback));
        },
      };
      return {
        io,
        held,
        release: () => {
          passThrough = true;
          for (const run of held.splice(0)) run();
        },
      };
    }

    it("writes and fsyncs the puts committed in one tick together, and whenDurable resolves only after that fsync", async () => {
      const { io, held, release } = heldSyncs();
      const ch = await channel(dir, {}, { io });
      try {
        await ch.whenDurable(); // nothing committed yet
        putCommitted(ch, numberedEvents(3, "a"));
        putCommitted(ch, numberedEvents(3, "b"));
        putCommitted(ch, numberedEvents(3, "c"));
        const durable = ch.whenDurable();
        expect(ch.whenDurable()).toBe(durable); // one promise per round, not per call
        await waitFor("the group's fdatasync", () => held.length > 0);
        expect(held).toHaveLength(1);
        expect(await isSettled(durable)).toBe(false);
        // A commit during the fsync waits for the next round.
        putCommitted(ch, numberedEvents(1, "d"));
        const next = ch.whenDurable();
        expect(next).not.toBe(durable);
        held.shift()?.();
        await durable;
        expect(await isSettled(next)).toBe(false);
        await waitFor("the second round's fdatasync", () => held.length > 0);
        held.shift()?.();
        await next;
        expect(ch.counter.SyncCount).toBe(2);
        expect(bodies(takeAll(ch))).toHaveLength(10);
      } finally {
        release();
      }
    });

    it("with sync = interval, whenDurable waits for the interval's fsync", async () => {
      const ch = await channel(dir, { sync: "interval", sync_interval: 50 });
      putCommitted(ch, numberedEvents(3));
      const durable = ch.whenDurable();
      expect(await isSettled(durable)).toBe(false);
      const started = Date.now();
      await durable;
      expect(Date.now() - started).toBeGreaterThanOrEqual(20);
      expect(ch.counter.SyncCount).toBe(1);
    });

    it("on a failed write: whenDurable rejects, puts are refused and counted until the disk recovers, nothing is lost", async () => {
      let failing = false;
      const io: DiskIo = {
        ...NODE_DISK_IO,
        writeSync: (fd, buffer, offset, length, position) => {
          if (failing) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          return NODE_DISK_IO.writeSync(fd, buffer, offset, length, position);
        },
      };
      const { log, lines } = recordingLogger();
      let ch = await channel(dir, {}, { io, log });
      putCommitted(ch, numberedEvents(3, "before"));
      await ch.whenDurable();
      failing = true;
      putCommitted(ch, numberedEvents(2, "failed"));
      await expect(ch.whenDurable()).rejects.toThrow("ENOSPC");
      expect(ch.counter.Unhealthy).toBe(true);
      expect(ch.counter.EventPutErrorCount).toBe(2);
      expect(lines.join("")).toContain('msg="cannot write the channel\'s segment: puts are refused until the disk recovers"');
      let refused: unknown;
      try {
        putCommitted(ch, numberedEvents(4, "refused"));
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(ChannelDiskError);
      expect(refused).toBeInstanceOf(ChannelFullError); // sources push back as when the channel is full
      expect((refused as Error).message).toMatch(/`fc` refuses puts: writing to .* failed \(ENOSPC/);
      expect(ch.counter.EventPutErrorCount).toBe(6);
      await expect(ch.whenDurable()).rejects.toThrow("ENOSPC");
      // Takes go on meanwhile (their records wait for the disk).
      expect(bodies(takeCommitted(ch, 1))).toEqual(["before0"]);

      const writable = ch.whenWritable();
      failing = false;
      await ch.checkDisk();
      expect(await isSettled(writable)).toBe(true);
      expect(ch.counter.Unhealthy).toBe(false);
      await ch.whenDurable(); // the failed batch was written on the retry
      putCommitted(ch, numberedEvents(1, "after"));
      ch = await restart(ch);
      expect(bodies(takeAll(ch))).toEqual(["before1", "before2", "failed0", "failed1", "after0"]);
    });

    it("on a failed fsync: whenDurable rejects, puts are refused until the disk check passes, later writes go to a new segment", async () => {
      let failing = false;
      const io: DiskIo = {
        ...NODE_DISK_IO,
        fdatasync: (fd, callback) => {
          if (failing) setImmediate(() => callback(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" })));
          else NODE_DISK_IO.fdatasync(fd, callback);
        },
      };
      let ch = await channel(dir, {}, { io });
      failing = true;
      putCommitted(ch, numberedEvents(2, "a"));
      await expect(ch.whenDurable()).rejects.toThrow("EIO");
      expect(() => putCommitted(ch, numberedEvents(1, "x"))).toThrow(ChannelDiskError);
      const segmentsBefore = segmentFiles(dir);
      failing = false;
      await ch.checkDisk();
      putCommitted(ch, numberedEvents(2, "b"));
      await ch.whenDurable();
      expect(segmentFiles(dir).length).toBe(segmentsBefore.length + 1);
      ch = await restart(ch);
      expect(bodies(takeAll(ch))).toEqual(["a0", "a1", "b0", "b1"]);
    });

    it("refuses puts with a log line while free space is below min_free_space, and accepts them again after", async () => {
      let free = 10_000_000;
      const io: DiskIo = { ...NODE_DISK_IO, freeBytes: (_path, callback) => callback(null, free), freeBytesSync: () => free };
      const { log, lines } = recordingLogger();
      const ch = await channel(dir, { min_free_space: 1_000_000 }, { io, log });
      putCommitted(ch, numberedEvents(2));
      free = 999_999;
      await ch.checkDisk();
      expect(ch.counter.Unhealthy).toBe(true);
      expect(() => putCommitted(ch, numberedEvents(3, "x"))).toThrow(ChannelDiskError);
      expect(() => putCommitted(ch, numberedEvents(3, "x"))).toThrow("999999 bytes free");
      expect(ch.counter.EventPutErrorCount).toBe(6);
      expect(lines.filter((line) => line.includes("below min_free_space"))).toHaveLength(1);
      expect(lines.join("")).toMatch(/level=error msg="free disk space is below min_free_space: puts are refused until space is freed" channel=fc dir=\S+ free_bytes=999999 min_free_space=1000000/);
      expect(bodies(takeAll(ch))).toEqual(["e0", "e1"]); // takes still work
      const writable = ch.whenWritable();
      free = 1_000_000;
      await ch.checkDisk();
      expect(await isSettled(writable)).toBe(true);
      expect(ch.counter.Unhealthy).toBe(false);
      putCommitted(ch, numberedEvents(1, "y"));
      expect(lines.join("")).toContain("puts are accepted");
    });

    it("checks free space at start", async () => {
      const io: DiskIo = { ...NODE_DISK_IO, freeBytesSync: () => 10 };
      const ch = await channel(dir, { min_free_space: 1_000 }, { io });
      expect(() => putCommitted(ch, [event("x")])).toThrow(ChannelDiskError);
    });
  });

  describe("the directory", () => {
    it("fails to start with a UserFacingError when the directory cannot be created", async () => {
      const file = join(temp.path, "a-file");
      writeFileSync(file, "");
      for (const bad of [join(file, "sub"), file]) {
        const ch = openChannel(bad);
        await expect(ch).rejects.toBeInstanceOf(UserFacingError);
        await expect(openChannel(bad)).rejects.toThrow(`channel \`fc\` cannot use directory ${bad}: E`);
        await expect(openChannel(bad)).rejects.toMatchObject({ exitCode: 1 });
      }
    });

    it("refuses a second channel on the same directory in this process", async () => {
      await channel(dir);
      const second = openChannel(dir);
      await expect(second).rejects.toBeInstanceOf(UserFacingError);
      await expect(openChannel(dir)).rejects.toThrow(`cannot use directory ${dir}: channel \`fc\` of this agent already uses it`);
    });

    it("refuses a directory locked by another running process, naming its pid", async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
      await expect(openChannel(dir)).rejects.toThrow(`another running process (pid ${process.ppid}) uses it; every file channel needs its own \`dir\``);
      await expect(openChannel(dir)).rejects.toMatchObject({ exitCode: 1 });
      expect(readFileSync(join(dir, LOCK_FILE), "utf8")).toBe(`${process.ppid}\n`);
    });

    it("takes over a stale lock left by a process that is gone, and releases its own at stop", async () => {
      const gone = spawnSync(process.execPath, ["-e", "0"]).pid as number;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, LOCK_FILE), `${gone}\n`);
      const { log, lines } = recordingLogger();
      const ch = await channel(dir, {}, { log });
      expect(readFileSync(join(dir, LOCK_FILE), "utf8")).toBe(`${process.pid}\n`);
      expect(lines.join("")).toContain(`msg="taking over a stale lock left by a process that is gone" channel=fc lock=${join(dir, LOCK_FILE)} pid=${gone}`);
      await ch.stop();
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    });
  });

  describe("counters", () => {
    it("counts like Flume's FileChannelCounter", async () => {
      const ch = await channel(dir, { capacity: 10, transaction_capacity: 5 });
      expect(ch.counter.Open).toBe(true);
      expect(ch.counter.ChannelCapacity).toBe(10);
      putCommitted(ch, numberedEvents(5));
      const undone = ch.beginPut();
      undone.put(numberedEvents(2));
      undone.rollback();
      putCommitted(ch, numberedEvents(3));
      expect(ch.counter.EventPutAttemptCount).toBe(10);
      expect(ch.counter.EventPutSuccessCount).toBe(8);
      expect(ch.counter.ChannelSize).toBe(8);
      expect(ch.counter.ChannelFillPercentage).toBe(80);
      takeCommitted(ch, 5);
      takeCommitted(ch, 5);
      expect(ch.counter.EventTakeAttemptCount).toBe(9);
      expect(ch.counter.EventTakeSuccessCount).toBe(8);
      expect(ch.counter.ChannelSize).toBe(0);
      await ch.stop();
      expect(ch.counter.Open).toBe(false);
      expect(ch.counter.Closed).toBe(true);
      expect(ch.counter.CheckpointCount).toBe(1);
      expect(ch.counter.StopTime).toBeGreaterThanOrEqual(ch.counter.StartTime);
    });
  });
});
