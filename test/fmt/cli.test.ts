import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli";
import { createTempDir } from "../helpers/temp-dir";

// Runs build/flowc.cjs: build it first (`npm run build`, or `npx tsx scripts/build-cli.ts`).
const UNFORMATTED = "tier t{channel c=memory{} # a buffer\n}";
const FORMATTED = "tier t {\n  channel c = memory {} # a buffer\n}\n";
const BROKEN = "tier t {\n  source s = tcp { port = }\n}\n";

let dir: ReturnType<typeof createTempDir>;
beforeEach(() => {
  dir = createTempDir("flowc-fmt-");
});
afterEach(() => dir.remove());

function file(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

describe("flowc fmt", { timeout: 30_000 }, () => {
  it("rewrites a file in place, leaving no temporary file behind", () => {
    const path = file("a.flow", UNFORMATTED);
    const run = runCli(["fmt", path]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    expect(readFileSync(path, "utf8")).toBe(FORMATTED);
    expect(readdirSync(dir.path)).toEqual(["a.flow"]);
  });

  it("does not touch a file that is already formatted", () => {
    const path = file("a.flow", FORMATTED);
    utimesSync(path, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const run = runCli(["fmt", path]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(statSync(path).mtime.getFullYear()).toBe(2000);
  });

  it("keeps the file's permissions, and rewrites the target of a symbolic link", () => {
    const path = file("a.flow", UNFORMATTED);
    chmodSync(path, 0o640);
    const link = join(dir.path, "link.flow");
    symlinkSync(path, link);
    expect(runCli(["fmt", link]).status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(FORMATTED);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("with --check, writes nothing and lists the files that would change (exit 1)", () => {
    const changed = file("changed.flow", UNFORMATTED);
    const clean = file("clean.flow", FORMATTED);
    const run = runCli(["fmt", "--check", changed, clean]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`${changed}\n`);
    expect(readFileSync(changed, "utf8")).toBe(UNFORMATTED);
  });

  it("with --check, exits 0 when every file is formatted", () => {
    const run = runCli(["fmt", "--check", file("clean.flow", FORMATTED)]);
    expect(run).toMatchObject({ status: 0, stdout: "" });
  });

  it("with --stdout, prints the formatted text and writes nothing", () => {
    const path = file("a.flow", UNFORMATTED);
    const run = runCli(["fmt", "--stdout", path]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(FORMATTED);
    expect(readFileSync(path, "utf8")).toBe(UNFORMATTED);
  });

  it("leaves a file with syntax errors untouched and reports them as `flowc check` does (exit 1)", () => {
    const path = file("broken.flow", BROKEN);
    const run = runCli(["fmt", path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[FLOW1001]: expected a value, found `}`");
    expect(run.stderr).toBe(runCli(["check", path]).stderr);
    expect(readFileSync(path, "utf8")).toBe(BROKEN);
  });

  it("formats the other files when one has syntax errors, and still exits 1", () => {
    const broken = file("broken.flow", BROKEN);
    const other = file("other.flow", UNFORMATTED);
    const run = runCli(["fmt", broken, other]);
    expect(run.status).toBe(1);
    expect(readFileSync(other, "utf8")).toBe(FORMATTED);
    expect(readFileSync(broken, "utf8")).toBe(BROKEN);
  });

  it.each([
    ["a missing file", (other: string) => ["fmt", other, join(dir.path, "missing.flow")], "no such file"],
    ["a directory", (other: string) => ["fmt", other, dir.path], "is a directory"],
    ["--stdout with two files", (other: string) => ["fmt", "--stdout", other, other], "--stdout formats exactly one file"],
    ["--stdout with --check", (other: string) => ["fmt", "--stdout", "--check", other], "cannot be used with"],
    ["no file", () => ["fmt"], "missing required argument"],
  ])("treats %s as a usage error (exit 2) and writes nothing", (_what, args, message) => {
    const other = file("other.flow", UNFORMATTED);
    const run = runCli(args(other));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(readFileSync(other, "utf8")).toBe(UNFORMATTED);
  });

  it("documents its options and exit codes in --help", () => {
    const run = runCli(["fmt", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("--check");
    expect(run.stdout).toContain("--stdout");
    expect(run.stdout).toContain("Exit codes:");
    expect(run.stdout).toContain("1  with --check, a file would change");
  });
});
