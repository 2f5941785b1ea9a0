import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FLOWC_VERSION } from "../../compiler/package-root";
import { runCli } from "../helpers/run-cli";

const work = mkdtempSync(join(tmpdir(), "flowc-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function flowFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("flowc check", () => {
  it("accepts the quickstart example", () => {
    const run = runCli(["check", "examples/quickstart.flow"]);
    expect(run.stderr).toBe("examples/quickstart.flow: no problems found\n");
    expect(run.status).toBe(0);
  });

  it("reports an undeclared channel with file, line and column, and exits 1", () => {
    const path = flowFile(
      "undeclared.flow",
      'tier edge {\n  source s = tcp { port = 5140 }\n  channel buf = memory {}\n  sink k = files { path = "o.log" }\n  s -> buff -> k\n}\n',
    );
    const run = runCli(["check", path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[FLOW2001]: unknown component `buff`");
    expect(run.stderr).toContain(` --> ${path}:5:8`);
    expect(run.stderr).toContain("= help: a channel with a similar name exists: `buf`");
    expect(run.stderr).toContain(`error: ${path}: 1 error\n`);
  });

  it("prints LSP-shaped JSON with --format json", () => {
    const path = flowFile("json.flow", "tier t { source s = tcp {} }");
    const run = runCli(["check", "--format", "json", path]);
    expect(run.status).toBe(1);
    const document = JSON.parse(run.stdout) as { errors: number; diagnostics: { code: string; range: { start: { line: number } } }[] };
    expect(document.errors).toBe(2);
    expect(document.diagnostics.map((d) => d.code)).toEqual(["FLOW4001", "FLOW3002"]);
    expect(document.diagnostics[0]?.range.start.line).toBe(0);
  });

  it.each([
    [["check", "no-such-file.flow"], "error: cannot read `no-such-file.flow`: no such file\n"],
    [["check", "examples"], "error: `examples` is a directory; give the path of a .flow file\n"],
  ])("gives a clear message, not a stack trace, for %j", (args, message) => {
    const run = runCli(args);
    expect(run.stderr).toBe(message);
    expect(run.status).toBe(2);
  });

  it("treats a bad option as a usage error (exit 2)", () => {
    const run = runCli(["check", "--frobnicate", "examples/quickstart.flow"]);
    expect(run.stderr).toContain("unknown option '--frobnicate'");
    expect(run.status).toBe(2);
    expect(runCli(["check", "--format", "xml", "examples/quickstart.flow"]).status).toBe(2);
    expect(runCli(["chekc"]).status).toBe(2);
  });
});

describe("flowc", () => {
  it("prints its version", () => {
    const run = runCli(["--version"]);
    expect(run.stdout).toBe(`${FLOWC_VERSION}\n`);
    expect(run.status).toBe(0);
  });

  it.each([[["--help"]], [["check", "--help"]], [["build", "--help"]]])("has --help on every command: %j", (args) => {
    const run = runCli(args);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: flowc");
    expect(run.stdout).toContain("Exit codes:");
  });

  it("refuses to build a file with errors, exiting 1 before building anything", () => {
    const path = flowFile("broken.flow", "tier t { source s = tcp {} }");
    const run = runCli(["build", path, "--out", join(work, "dist")]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[FLOW3002]");
    expect(run.stderr).not.toContain("flowc: built");
  });

  it("says which tiers exist when --tier names none of them", () => {
    const run = runCli(["build", "examples/quickstart.flow", "--tier", "nope", "--out", join(work, "dist")]);
    expect(run.stderr).toBe("error: no tier `nope` in `examples/quickstart.flow`; its tiers are `quickstart`\n");
    expect(run.status).toBe(2);
  });
});
