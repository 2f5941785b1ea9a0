import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completeGzipLength, endsWithNewline, gzipMemberEnd, lengthThroughLastNewline } from "../../../runtime/sinks/file-output/tail-repair";
import { createTempDir } from "../../helpers/temp-dir";

let dir: ReturnType<typeof createTempDir>;
beforeEach(() => {
  dir = createTempDir("flowc-tail-");
});
afterEach(() => dir.remove());

async function withFile<T>(content: Buffer | string, read: (handle: Awaited<ReturnType<typeof open>>, size: number) => Promise<T>): Promise<T> {
  const path = join(dir.path, "f");
  writeFileSync(path, content);
  const handle = await open(path, "r");
  try {
    return await read(handle, Buffer.byteLength(content));
  } finally {
    await handle.close();
  }
}

describe("finding the end of the last complete batch", () => {
  it("of lines", async () => {
    expect(await withFile("a\nb\n", endsWithNewline)).toBe(true);
    expect(await withFile("a\nb", endsWithNewline)).toBe(false);
    expect(await withFile("", endsWithNewline)).toBe(true);
    expect(await withFile("a\nbc", lengthThroughLastNewline)).toBe(2);
    expect(await withFile("abc", lengthThroughLastNewline)).toBe(0);
    // A torn line longer than one read chunk.
    expect(await withFile(`a\n${"x".repeat(200_000)}`, lengthThroughLastNewline)).toBe(2);
  });

  const members = [gzipSync("first batch\n"), gzipSync("second batch\n".repeat(1_000)), gzipSync("third\n")];
  const whole = Buffer.concat(members);
  const thirdStarts = (members[0] as Buffer).length + (members[1] as Buffer).length;

  it("of gzip members: the whole file when intact", async () => {
    expect(gzipMemberEnd(whole, 0)).toBe((members[0] as Buffer).length);
    expect(await withFile(whole, completeGzipLength)).toBe(whole.length);
    expect(await withFile(Buffer.alloc(0), completeGzipLength)).toBe(0);
  });

  it("of gzip members: the start of a member torn anywhere (header, data or trailer)", async () => {
    for (const keep of [1, 3, 9, 12, 20, (members[2] as Buffer).length - 1]) {
      expect(await withFile(whole.subarray(0, thirdStarts + keep), completeGzipLength), `torn after ${keep} bytes`).toBe(thirdStarts);
    }
    expect(await withFile((members[0] as Buffer).subarray(0, 15), completeGzipLength)).toBe(0);
  });

  it("of gzip members: a damaged trailer is not complete", () => {
    const bad = Buffer.from(members[2] as Buffer);
    bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 0xff; // the CRC
    expect(gzipMemberEnd(bad, 0)).toBeUndefined();
  });

  it("of gzip members with the optional header fields (a file name, as gzip(1) writes)", () => {
    const member = gzipSync("named\n");
    const named = Buffer.concat([member.subarray(0, 3), Buffer.from([0x08]), member.subarray(4, 10), Buffer.from("events.log\0"), member.subarray(10)]);
    expect(gzipMemberEnd(named, 0)).toBe(named.length);
  });

  it("cannot tell for a file that is not gzip", async () => {
    expect(await withFile("plain text, not gzip\n", completeGzipLength)).toBeUndefined();
  });
});
