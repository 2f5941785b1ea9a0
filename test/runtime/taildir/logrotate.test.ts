import { execFile } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { lines, startRig, stopAllRigs, taildirConfig, type TaildirRig } from "./taildir-rig";

const run = promisify(execFile);

/**
 * Real rotations by Debian's logrotate (`-f` forces one per run), while a writer appends: `create` renames the
 * file and creates a new one (the writer reopens when logrotate is done, as a postrotate HUP would make it),
 * `copytruncate` copies the file and truncates it in place (the writer keeps appending to its descriptor).
 */
const LINES = 12_000;
const ROTATIONS = 4;

let dir: string;
let removeDir: () => void;

beforeEach(() => {
  const temp = createTempDir("flowc-logrotate-");
  dir = temp.path;
  removeDir = temp.remove;
});

afterEach(async () => {
  await stopAllRigs();
  removeDir();
});

/** An application's log writer: one descriptor, opened for appending, reopened on request. */
class Writer {
  private fd: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, "a");
  }
  write(line: string): void {
    writeSync(this.fd, `${line}\n`);
  }
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, "a");
  }
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Writes LINES lines, running logrotate ROTATIONS times part-way and writing on while it runs. Before each
 * rotation, once the previous one is over, it writes a line and waits until the source has read it (so the
 * source has seen the file's current content; it lags again while logrotate runs): a file copied and
 * truncated before a reader saw any of its content cannot be told from any other file.
 */
async function writeWhileRotating(rig: TaildirRig, mode: "create" | "copytruncate"): Promise<string[]> {
  const log = join(dir, "app.log");
  const conf = join(dir, "logrotate.conf");
  writeFileSync(conf, `${log} {\n  rotate 20\n  ${mode}\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });
  const all = lines("line", LINES);
  const writer = new Writer(log);
  const every = Math.floor(LINES / (ROTATIONS + 1));
  let rotation: Promise<unknown> | undefined;
  let rotations = 0;
  for (let i = 0; i < all.length; i++) {
    writer.write(all[i] as string);
    if (i % every === every - 1 && rotations < ROTATIONS) {
      await rotation;
      i++;
      const marker = all[i] as string;
      writer.write(marker);
      await waitFor(`the source to read ${marker}`, () => rig.drain().includes(marker));
      rotations++;
      rotation = run("logrotate", ["-f", "-s", join(dir, "logrotate.state"), conf]).then(() => {
        if (mode === "create") writer.reopen();
      });
    }
    if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await rotation;
  writer.close();
  const rotated = readdirSync(dir).filter((name) => /^app\.log\.\d+$/.test(name));
  expect(rotated.length).toBe(ROTATIONS);
  return all;
}

/** Every complete line in the log and its rotated copies on disk now (a copy may end in the middle of a line). */
function linesOnDisk(): Set<string> {
  const found = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.startsWith("app.log"))) {
    const lines = readFileSync(join(dir, name), "utf8").split("\n");
    lines.pop(); // after the last newline: "" or an unfinished line
    for (const line of lines) found.add(line);
  }
  return found;
}

describe("taildir under logrotate while a writer appends", () => {
  it("rename rotation (create), following only the live file: every line once, in order", async () => {
    const rig = await startRig(taildirConfig(dir, { files: { app: join(dir, "app.log") }, rotate_wait: 200 }));
    const all = await writeWhileRotating(rig, "create");
    expect(await rig.collect(all.length)).toEqual(all);
    await waitFor("the rotated files to be closed", () => rig.source.counter.OpenFileCount === 1);
    expect(rig.source.counter.FileRotatedCount).toBe(ROTATIONS);
  }, 60_000);

  it("rename rotation (create), following the rotated names too (app.log*): every line once, in order", async () => {
    const rig = await startRig(taildirConfig(dir, { files: { app: join(dir, "app.log*") } }));
    const all = await writeWhileRotating(rig, "create");
    expect(await rig.collect(all.length)).toEqual(all);
    // Each file is counted once, however often it is renamed again (app.log → app.log.1 → app.log.2 …); the
    // last rename may be noticed after the lines it held arrived.
    await waitFor("the last rename to be noticed", () => rig.source.counter.FileRotatedCount >= ROTATIONS);
    expect(rig.source.counter.FileRotatedCount).toBe(ROTATIONS);
  }, 60_000);

  it("copytruncate: no line repeated, order kept, and every line on disk delivered (read from the copy when the reader lagged)", async () => {
    const rig = await startRig(taildirConfig(dir, { files: { app: join(dir, "app.log") } }));
    const all = await writeWhileRotating(rig, "copytruncate");
    const onDisk = linesOnDisk();
    // Lines written between logrotate's copy and its truncation are on disk nowhere: no reader can have them
    // unless it read them in time. Everything on disk must arrive.
    await waitFor(`every line on disk (${onDisk.size}) to arrive`, () => {
      const got = new Set(rig.drain());
      return [...onDisk].every((line) => got.has(line));
    }, 20_000);
    // The last truncation may leave nothing new to read: it is noticed at the next poll.
    await waitFor("every truncation to be noticed", () => rig.source.counter.FileTruncatedCount === ROTATIONS);
    const got = await rig.stop();
    expect(new Set(got).size).toBe(got.length);
    const index = new Map(all.map((line, i) => [line, i]));
    const delivered = new Set(got);
    // A copy can end in the middle of a line whose rest was written in logrotate's window (and so is in no
    // file): that beginning is handed on as it is. Anything else must be a line written, once, in order.
    const foreign = got.filter((line) => !index.has(line));
    for (const piece of foreign) expect(all.some((line) => line.startsWith(piece) && !delivered.has(line)), `not a line written: ${piece}`).toBe(true);
    const positions = got.filter((line) => index.has(line)).map((line) => index.get(line) as number);
    expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] as number))).toBe(true);
    expect(existsSync(join(dir, "app.log.1"))).toBe(true);
  }, 60_000);
});
