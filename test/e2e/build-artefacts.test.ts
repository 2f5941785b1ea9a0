import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../compiler/build";
import { generateEntry } from "../../compiler/codegen";
import type { TierPlan } from "../../compiler/ir";
import { FLOWC_VERSION } from "../../compiler/package-root";
import { compileSource } from "../../compiler/pipeline";
import { ROOT, runCli, type CliRun } from "../helpers/run-cli";

const work = mkdtempSync(join(tmpdir(), "flowc-artefacts-"));
const dist = join(work, "dist");
const tierDir = (tier: string): string => join(dist, tier);
const builds: Record<string, CliRun> = {};

function build(name: string, example: string, ...options: string[]): void {
  const run = runCli(["build", `examples/${example}.flow`, "--out", dist, ...options], { timeoutMs: 170_000 });
  if (run.status !== 0) throw new Error(`flowc build examples/${example}.flow ${options.join(" ")} failed (${run.status}):\n${run.stderr}`);
  builds[name] = run;
}

beforeAll(() => {
  build("quickstart", "quickstart", "--emit-ts");
  build("router", "multiplexing", "--quiet");
  build("archiver", "failover", "--quiet", "--emit-ts");
}, 540_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function manifestOf(tier: string): Manifest {
  return JSON.parse(readFileSync(join(tierDir(tier), "manifest.json"), "utf8")) as Manifest;
}

function planOf(example: string): TierPlan {
  const path = join(ROOT, "examples", `${example}.flow`);
  const plan = compileSource(path, readFileSync(path, "utf8")).plans?.[0];
  if (plan === undefined) throw new Error(`no plan for ${example}`);
  return plan;
}

describe("flowc build's deploy artefacts", () => {
  it("writes a manifest that matches the binary and the .flow file", () => {
    const manifest = manifestOf("quickstart");
    const binary = join(tierDir("quickstart"), "quickstart");
    expect(Object.keys(manifest)).toEqual(["flowcVersion", "tier", "node", "codeCache", "binary", "source", "listens", "writes", "env", "links"]);
    expect(manifest.flowcVersion).toBe(FLOWC_VERSION);
    expect(manifest.tier).toBe("quickstart");
    expect(manifest.node.version).toMatch(/^v24\.\d+\.\d+$/);
    expect(manifest.node.origin).toMatch(/^node-linux-(x64|arm64)@24\.\d+\.\d+$/);
    expect(manifest.codeCache).toBe(false);
    expect(manifest.binary).toEqual({ path: "quickstart", sha256: sha256(readFileSync(binary)), bytes: statSync(binary).size });
    expect(manifest.source).toEqual([{ file: "quickstart.flow", sha256: sha256(readFileSync(join(ROOT, "examples", "quickstart.flow"))) }]);
    expect(manifest.listens).toEqual([{ source: "lines", kind: "tcp", protocol: "tcp", bind: "127.0.0.1", port: { env: "QUICKSTART_PORT", default: 5140 } }]);
    expect(manifest.writes).toEqual([
      { component: "out", role: "sink", kind: "files", property: "path", writes: "file", path: { env: "QUICKSTART_OUT", default: "quickstart-out/events.log" } },
    ]);
    expect(manifest.env).toEqual([
      { name: "QUICKSTART_PORT", target: "property `port` of source `lines`", type: { kind: "integer", min: 0, max: 65_535 }, default: 5140 },
      { name: "QUICKSTART_OUT", target: "property `path` of sink `out`", type: { kind: "string" }, default: "quickstart-out/events.log" },
    ]);
    expect(manifest.links).toEqual([]);
  });

  it("writes the manifests of the other examples with their writes and env variables", () => {
    const router = manifestOf("router");
    expect(router.writes.map((write) => [write.component, write.path])).toEqual([
      ["alerts_file", { env: "ROUTER_ALERTS", default: "router-out/alerts.log" }],
      ["payments_file", { env: "ROUTER_PAYMENTS", default: "router-out/payments.log" }],
      ["archive_file", { env: "ROUTER_ARCHIVE", default: "router-out/archive.log" }],
    ]);
    expect(router.env.map((variable) => variable.name)).toEqual(["ROUTER_PORT", "ROUTER_ALERTS", "ROUTER_PAYMENTS", "ROUTER_ARCHIVE"]);
    expect(router.source).toEqual([{ file: "multiplexing.flow", sha256: sha256(readFileSync(join(ROOT, "examples", "multiplexing.flow"))) }]);
    const archiver = manifestOf("archiver");
    expect(archiver.writes.map((write) => [write.component, write.writes, write.path])).toEqual([
      ["primary", "file", { env: "ARCHIVER_PRIMARY", default: "archiver-out/primary/events.log" }],
      ["spare", "file", { env: "ARCHIVER_SPARE", default: "archiver-out/spare/events.log" }],
    ]);
    expect(archiver.env.map((variable) => [variable.name, variable.target])).toEqual([
      ["ARCHIVER_PORT", "property `port` of source `inbound`"],
      ["ARCHIVER_PRIMARY", "property `path` of sink `primary`"],
      ["ARCHIVER_SPARE", "property `path` of sink `spare`"],
    ]);
    expect(archiver.listens).toEqual([{ source: "inbound", kind: "tcp", protocol: "tcp", bind: "127.0.0.1", port: { env: "ARCHIVER_PORT", default: 5143 } }]);
  });

  it("writes a systemd unit for the binary installed in /usr/local/bin", () => {
    const unit = readFileSync(join(tierDir("quickstart"), "quickstart.service"), "utf8");
    const settings = unit.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(settings.filter((line) => line.startsWith("["))).toEqual(["[Unit]", "[Service]", "[Install]"]);
    expect(settings).toEqual(
      expect.arrayContaining([
        "ExecStart=/usr/local/bin/quickstart",
        "DynamicUser=yes",
        "StateDirectory=flowc/quickstart",
        "WorkingDirectory=%S/flowc/quickstart",
        "EnvironmentFile=-/etc/flowc/quickstart.env",
        "CapabilityBoundingSet=",
        "TimeoutStopSec=45s",
      ]),
    );
    expect(unit).toContain("#   QUICKSTART_PORT  property `port` of source `lines`: an integer, default 5140\n");
  });

  it("writes a unit that systemd-analyze verify accepts", () => {
    requireSystemdAnalyze();
    // verify checks that ExecStart= is executable: point it at the built binary, since nothing is installed here.
    const copy = join(work, "verify");
    mkdirSync(copy, { recursive: true });
    const unit = readFileSync(join(tierDir("quickstart"), "quickstart.service"), "utf8");
    writeFileSync(join(copy, "quickstart.service"), unit.replace(/^ExecStart=.*$/m, `ExecStart=${join(tierDir("quickstart"), "quickstart")}`));
    const run = spawnSync("systemd-analyze", ["verify", join(copy, "quickstart.service")], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("keeps the generated TypeScript with --emit-ts", () => {
    expect(readFileSync(join(tierDir("quickstart"), "quickstart.generated.ts"), "utf8")).toBe(generateEntry(planOf("quickstart")));
    expect(existsSync(join(tierDir("router"), "router.generated.ts"))).toBe(false);
  });

  it("prints progress lines with timings, and nothing with --quiet", () => {
    expect(builds["quickstart"]?.stderr).toMatch(/flowc: built tier `quickstart` → .*quickstart \(\d+\.\d MiB\) in \d+\.\ds\nflowc: done in \d+\.\ds\n$/);
    expect(builds["router"]?.stderr).toBe("");
    expect(builds["router"]?.stdout).toBe("");
    expect(builds["archiver"]?.stderr).toBe("");
  });

  it("removes a generated file an earlier --emit-ts build left, and rebuilds the same manifest", () => {
    const before = readFileSync(join(tierDir("archiver"), "manifest.json"), "utf8");
    expect(existsSync(join(tierDir("archiver"), "archiver.generated.ts"))).toBe(true);
    build("archiver again", "failover", "--quiet");
    expect(existsSync(join(tierDir("archiver"), "archiver.generated.ts"))).toBe(false);
    expect(readFileSync(join(tierDir("archiver"), "manifest.json"), "utf8")).toBe(before);
  }, 180_000);

  it("records --code-cache in the manifest", () => {
    const out = join(work, "cached");
    const run = runCli(["build", "examples/quickstart.flow", "--out", out, "--code-cache"], { timeoutMs: 170_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("flowc: with V8's code cache (--code-cache): the binaries will differ from build to build\n");
    const manifest = JSON.parse(readFileSync(join(out, "quickstart", "manifest.json"), "utf8")) as Manifest;
    expect(manifest.codeCache).toBe(true);
    expect(manifest.binary.sha256).toBe(sha256(readFileSync(join(out, "quickstart", "quickstart"))));
    const version = spawnSync(join(out, "quickstart", "quickstart"), ["--version"], { env: {}, encoding: "utf8" });
    expect(version.stdout).toMatch(/^quickstart \(flowc /);
  }, 180_000);
});

describe("the agent's --describe", () => {
  const binary = (): string => join(tierDir("quickstart"), "quickstart");

  it("prints the plan, the wiring and the environment variables, with an empty environment", () => {
    const run = spawnSync(binary(), ["--describe"], { env: {}, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("  lines: tcp (quickstart.flow:11)\n    bind = \"127.0.0.1\"\n    port = env(QUICKSTART_PORT, 5140)\n");
    expect(run.stdout).toContain('    path = env(QUICKSTART_OUT, "quickstart-out/events.log")\n');
    expect(run.stdout).toContain("wiring\n  lines -> buffer\n  buffer -> out\n");
    expect(run.stdout).toContain("  QUICKSTART_PORT  property `port` of source `lines`: an integer, default 5140\n");
  });

  it("reads no environment: a value the agent would refuse at start does not matter", () => {
    const run = spawnSync(binary(), ["--describe"], { env: { QUICKSTART_PORT: "http" }, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("port = env(QUICKSTART_PORT, 5140)");
    expect(run.stdout).not.toContain("http");
  });

  it("prints the plan as JSON with --format json", () => {
    const run = spawnSync(binary(), ["--describe", "--format", "json"], { env: {}, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(planOf("quickstart"));
  });

  it("is in --help", () => {
    const run = spawnSync(binary(), ["--help"], { env: {}, encoding: "utf8" });
    expect(run.stdout).toContain("  --describe ");
    expect(run.stdout).toContain("  --format <format>          with --describe: text, or json for the plan itself (default: text)");
  });
});

/** CI installs Debian's systemd (see .ci/run); without it this test fails rather than passing unchecked. */
function requireSystemdAnalyze(): void {
  if (spawnSync("systemd-analyze", ["--version"]).status !== 0) throw new Error("systemd-analyze is missing: apt-get install -y systemd");
}
