import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli";

const work = mkdtempSync(join(tmpdir(), "flowc-repro-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

describe("flowc build", () => {
  it("builds byte-identical binaries from the same input", () => {
    for (const out of ["one", "two"]) {
      const run = runCli(["build", "examples/quickstart.flow", "--out", join(work, out)], { timeoutMs: 170_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/flowc: embedding Node\.js v24\.\d+\.\d+/);
      expect(run.stderr).toMatch(/flowc: built tier `quickstart` → .*quickstart \(\d+\.\d MiB\) in \d+\.\ds/);
    }
    expect(sha256(join(work, "one", "quickstart", "quickstart"))).toBe(sha256(join(work, "two", "quickstart", "quickstart")));
  }, 180_000);
});
