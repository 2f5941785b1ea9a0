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
  it("builds byte-identical binaries, manifests and units from the same input", () => {
    for (const out of ["one", "two"]) {
      const run = runCli(["build", "examples/quickstart.flow", "--out", join(work, out)], { timeoutMs: 170_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/flowc: embedding Node\.js v24\.\d+\.\d+/);
      expect(run.stderr).toMatch(/flowc: built tier `quickstart` → .*quickstart \(\d+\.\d MiB\) in \d+\.\ds/);
    }
    expect(sha256(join(work, "one", "quickstart", "quickstart"))).toBe(sha256(join(work, "two", "quickstart", "quickstart")));
    // The manifests hold the binary's hash and name it relatively, so they match byte for byte too.
    for (const artefact of ["manifest.json", "quickstart.service"]) {
      const one = readFileSync(join(work, "one", "quickstart", artefact));
      expect(one.length, artefact).toBeGreaterThan(0);
      expect(one.equals(readFileSync(join(work, "two", "quickstart", artefact))), artefact).toBe(true);
    }
  }, 180_000);
});
