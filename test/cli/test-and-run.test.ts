import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { ROOT, runCli } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";

const work = mkdtempSync(join(tmpdir(), "flowc-test-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ROUTED = `tier edge {
  source s = tcp { port = 0 } | static(key = "dc", value = "eu-1") | drop(body ~ /^health/)
  channel a = memory {}
  channel b = memory {}
  sink ka = files { path = "a.log" }
  sink kb = files { path = "b.log" }
  route s {
    when body ~ /ERROR/ -> a, optional b
    else -> b
  }
  a -> ka
  b -> kb

  test "errors go to both" {
    send s { body = "ERROR x" }
    expect a, b
    expect headers { dc = "eu-1" }
    send s { body = "health check" }
    expect dropped
  }

  test "a wrong expectation" {
    send s { body = "fine" }
    expect a
  }

  test "a wrong header" {
    send s { headers = { dc = "us" }, body = "fine" }
    expect headers { dc = "eu-1" }
  }

  test "a literal regex finds its text in UTF-8 bodies" {
    send s { body = "café ERROR ☕" }
    expect a, b
    send s { body = "Ärger, kein Fehler" }
    expect b
  }
}
`;

describe("flowc test", () => {
  it("runs the example's tests through the generated interceptors and route", () => {
    const run = runCli(["test", "examples/multiplexing.flow"], { timeoutMs: 60_000 });
    expect(run.stdout).toContain("✓ errors are alerted and archived");
    expect(run.stdout).toContain("3 tests, 3 passed, 0 failed");
    expect(run.status).toBe(0);
  });

  it("reports each failing expectation with its .flow line and exits 1", () => {
    const path = join(work, "routed.flow");
    writeFileSync(path, ROUTED);
    const run = runCli(["test", path], { timeoutMs: 60_000 });
    expect(run.stdout).toContain("✓ errors go to both");
    expect(run.stdout).toContain(`✗ a wrong expectation\n      ${path}:24: expected the event in \`a\`, but it reached \`b\``);
    // static() keeps an existing header by default (preserve_existing), so the test's own `dc` stays.
    expect(run.stdout).toContain(`✗ a wrong header\n      ${path}:29: expected header \`dc\` = "eu-1", found "us"`);
    expect(run.stdout).toContain("✓ a literal regex finds its text in UTF-8 bodies");
    expect(run.stdout).toContain("4 tests, 2 passed, 2 failed");
    expect(run.status).toBe(1);
  });

  it("says so when there are no tests", () => {
    const run = runCli(["test", "examples/quickstart.flow"]);
    expect(run.stdout).toBe("examples/quickstart.flow: no tests\n");
    expect(run.status).toBe(0);
  });
});

describe("flowc run", () => {
  it("runs a tier in process like its binary: ready line, delivery, clean stop on SIGTERM", async () => {
    const port = await freePort();
    const output = join(work, "run", "events.log");
    const child = spawn(process.execPath, [join(ROOT, "bin", "flowc.cjs"), "run", join(ROOT, "examples", "quickstart.flow"), "--", "--log-level", "info"], {
      cwd: work,
      env: { ...process.env, QUICKSTART_PORT: String(port), QUICKSTART_OUT: output },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor("the ready line", () => log.includes("msg=ready"), 30_000);
      expect(log).toContain(`listen=tcp://127.0.0.1:${port}`);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.end("one\ntwo\n"));
        socket.on("close", () => resolve()).on("error", reject);
      });
      await waitFor("the lines in the file", () => {
        try {
          return readFileSync(output, "utf8") === "one\ntwo\n";
        } catch {
          return false;
        }
      });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(log).toContain("msg=stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);

  it("asks for --tier when the file has several", () => {
    const path = join(work, "two.flow");
    writeFileSync(path, 'tier a { source s = tcp { port = 0 } channel c = memory {} sink k = files { path = "a" } s -> c -> k }\ntier b { source s = tcp { port = 0 } channel c = memory {} sink k = files { path = "b" } s -> c -> k }\n');
    const run = runCli(["run", path]);
    expect(run.stderr).toBe(`error: \`${path}\` has several tiers (\`a\`, \`b\`); choose one with --tier\n`);
    expect(run.status).toBe(2);
  });
});
