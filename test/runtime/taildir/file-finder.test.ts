import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileFinder } from "../../../runtime/sources/taildir/file-finder";
import { createTempDir } from "../../helpers/temp-dir";

let dir: string;
let removeDir: () => void;

beforeEach(() => {
  const temp = createTempDir("flowc-finder-");
  dir = temp.path;
  removeDir = temp.remove;
  for (const path of ["a.log", "b.log", ".hidden.log", "c.txt", "sub/d.log", "sub/deeper/e.log", "web/access.log", "web/error.log", "web/other.log"]) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), "");
  }
});

afterEach(() => removeDir());

async function find(files: Record<string, string>, cwd = "/"): Promise<string[]> {
  return (await new FileFinder(files, cwd).find()).map((file) => `${file.group}:${file.path.slice(dir.length + 1)}`);
}

describe("FileFinder", () => {
  it("matches a directory level with *, leaving out dot files and other levels", async () => {
    expect(await find({ app: join(dir, "*.log") })).toEqual(["app:a.log", "app:b.log"]);
  });

  it("matches every level below the base with **, braces and a single path", async () => {
    expect(await find({ all: join(dir, "**/*.log") })).toEqual([
      "all:a.log",
      "all:b.log",
      "all:sub/d.log",
      "all:sub/deeper/e.log",
      "all:web/access.log",
      "all:web/error.log",
      "all:web/other.log",
    ]);
    expect(await find({ web: join(dir, "web/{access,error}.log"), one: join(dir, "c.txt"), none: join(dir, "missing.log") })).toEqual([
      "web:web/access.log",
      "web:web/error.log",
      "one:c.txt",
    ]);
  });

  it("resolves relative globs against the working directory and reports the base directories to watch", async () => {
    const finder = new FileFinder({ app: "sub/*.log", one: join(dir, "c.txt") }, dir);
    expect(finder.patterns).toEqual([join(dir, "sub/*.log"), join(dir, "c.txt")]);
    expect(finder.baseDirectories).toEqual([join(dir, "sub"), dir]);
    expect((await finder.find()).map((file) => file.path)).toEqual([join(dir, "sub/d.log"), join(dir, "c.txt")]);
  });

  it("matches symbolic links to files and does not loop through links to directories", async () => {
    symlinkSync(join(dir, "a.log"), join(dir, "link.log"));
    symlinkSync(dir, join(dir, "sub", "loop"));
    expect(await find({ all: join(dir, "**/*.log") })).toContain("all:link.log");
    expect((await find({ all: join(dir, "**/*.log") })).some((path) => path.includes("loop"))).toBe(false);
  });
});
