import { afterEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { ExecSource, ExecSourceCounter, type ExecSourceConfig } from "../../../runtime/sources/exec/exec-source";
import { execSourceSpec } from "../../../runtime/sources/exec/spec";
import { takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

const sources: ExecSource[] = [];

async function rig(values: Partial<ExecSourceConfig> & { command: string }) {
  const channel = memoryChannel("c", { capacity: 10_000, transaction_capacity: 1_000 });
  await channel.start();
  const processor = new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] });
  const source = new ExecSource("cmd", configOf(execSourceSpec, { batch_timeout: 0, ...values }), processor);
  sources.push(source);
  const { log, lines } = recordingLogger();
  return { channel, source, log, text: () => lines.join("") };
}

/** Whether any process of process group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const source of sources.splice(0)) await withTimeout(source.stop(), 10_000, "stop()");
});

describe("exec source", () => {
  it("turns each line of the command's stdout into an event, keeps a last line without newline, and is finished when it exits", async () => {
    const { channel, source, log, text } = await rig({ command: "printf 'one\\ntwo\\nthree'" });
    expect(await source.start(log)).toMatch(/^exec:pid\/\d+$/);
    await withTimeout(source.finished, 5_000, "finished");
    expect(bodies(takeAll(channel))).toEqual(["one", "two", "three"]);
    const counter = source.counter;
    expect([counter.EventReceivedCount, counter.EventAcceptedCount, counter.CommandStartCount, counter.LastExitStatus, counter.CommandFailCount]).toEqual([3, 3, 1, 0, 0]);
    expect(text()).toMatch(/level=info msg="command exited" source=cmd pid=\d+ status=0 ran_ms=\d+/);
    expect(text()).toMatch(/msg="command ended and its output is delivered: finished" source=cmd lines=3/);
  });

  it("records a non-zero exit status in a warning and in its counters", async () => {
    const { source, log, text } = await rig({ command: "echo partial; exit 3" });
    await source.start(log);
    await withTimeout(source.finished, 5_000, "finished");
    expect(source.counter.LastExitStatus).toBe(3);
    expect(source.counter.CommandFailCount).toBe(1);
    expect(text()).toMatch(/level=warn msg="command failed" source=cmd pid=\d+ status=3 ran_ms=\d+/);
  });

  it("records death by a signal as 128 + its number, naming the signal", async () => {
    const { source, log, text } = await rig({ command: "kill -KILL $$" });
    await source.start(log);
    await withTimeout(source.finished, 5_000, "finished");
    expect(source.counter.LastExitStatus).toBe(137);
    expect(text()).toMatch(/level=warn msg="command failed" source=cmd pid=\d+ status=137 signal=SIGKILL/);
  });

  it("explains exit status 127: the shell could not find the command", async () => {
    const { source, log, text } = await rig({ command: "no-such-command-for-flowc-tests --flag" });
    await source.start(log);
    await withTimeout(source.finished, 5_000, "finished");
    expect(source.counter.LastExitStatus).toBe(127);
    expect(text()).toMatch(/msg="command failed" .*status=127 .*hint="the shell could not find the command"/);
    // The shell's own complaint, from its stderr, is logged too.
    expect(text()).toMatch(/msg="command stderr" source=cmd pid=\d+ line=".*no-such-command-for-flowc-tests.*not found"/);
  });

  it("logs and counts stderr lines, or sends them to /dev/null with log_stderr = false", async () => {
    const logged = await rig({ command: "echo out; echo 'err one' >&2; echo 'err two' >&2" });
    await logged.source.start(logged.log);
    await withTimeout(logged.source.finished, 5_000, "finished");
    expect(bodies(takeAll(logged.channel))).toEqual(["out"]);
    expect(logged.source.counter.StderrLineCount).toBe(2);
    expect(logged.text()).toMatch(/level=info msg="command stderr" source=cmd pid=\d+ line="err one"/);
    expect(logged.text()).toMatch(/msg="command stderr" source=cmd pid=\d+ line="err two"/);

    const quiet = await rig({ command: "echo 'err' >&2", log_stderr: false });
    await quiet.source.start(quiet.log);
    await withTimeout(quiet.source.finished, 5_000, "finished");
    expect(quiet.source.counter.StderrLineCount).toBe(0);
    expect(quiet.text()).not.toContain("command stderr");
  });

  it("restarts the command with a backoff that doubles up to restart_backoff_max", async () => {
    const { channel, source, log, text } = await rig({ command: "echo run", restart: true, restart_backoff: 100, restart_backoff_max: 60_000 });
    await source.start(log);
    await waitFor("five runs", () => source.counter.CommandStartCount >= 5, 15_000);
    await source.stop();
    const delays = [...text().matchAll(/msg="restarting the command" source=cmd in_ms=(\d+)/g)].map((m) => Number(m[1]));
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(bodies(takeAll(channel)).every((body) => body === "run")).toBe(true);
    expect(await isSettled(source.finished)).toBe(false);
  }, 20_000);

  it("starts the backoff again after a run that lasted longer than restart_backoff_max", async () => {
    const { source, log, text } = await rig({ command: "sleep 0.3", restart: true, restart_backoff: 100, restart_backoff_max: 200 });
    await source.start(log);
    await waitFor("three runs", () => source.counter.CommandStartCount >= 3, 10_000);
    await source.stop();
    const delays = [...text().matchAll(/in_ms=(\d+)/g)].map((m) => Number(m[1]));
    expect(delays.slice(0, 2)).toEqual([100, 100]);
  }, 20_000);

  it("hands over a partial batch after batch_timeout while the command still runs", async () => {
    const { channel, source, log } = await rig({ command: "echo first; exec sleep 30", batch_size: 100, batch_timeout: 50 });
    await source.start(log);
    await waitFor("the first line in the channel", () => channel.size() === 1, 5_000);
    expect(source.counter.LastExitStatus).toBe(-1);
  });

  it("on stop, signals the whole process group, delivers what was written and discards an unfinished last line", async () => {
    const { channel, source, log, text } = await rig({ command: "sleep 31 & sleep 32 & printf 'complete\\npartial'; wait" });
    const started = await source.start(log);
    const pgid = Number(/pid\/(\d+)/.exec(started)?.[1]);
    await waitFor("the complete line", () => channel.size() === 1, 5_000);
    expect(groupAlive(pgid)).toBe(true);
    await withTimeout(source.stop(), 5_000, "stop()");
    // Killed processes may linger a moment as zombies until their new parent reaps them.
    await waitFor("every process of the command's group to be gone", () => !groupAlive(pgid), 5_000);
    expect(bodies(takeAll(channel))).toEqual(["complete"]);
    expect(text()).toMatch(/level=warn msg="the stopped command left an unfinished last line; it is discarded" source=cmd bytes=7/);
    expect(text()).toMatch(/level=info msg="command stopped" source=cmd pid=\d+ status=143 signal=SIGTERM/);
    // Stopped by the agent: not a failure.
    expect(source.counter.CommandFailCount).toBe(0);
  });

  it("cuts lines longer than max_line_length and counts them", async () => {
    const { channel, source, log } = await rig({ command: "echo 0123456789; echo ok", max_line_length: 4 });
    await source.start(log);
    await withTimeout(source.finished, 5_000, "finished");
    expect(bodies(takeAll(channel))).toEqual(["0123", "ok"]);
    expect(source.counter.LineTruncatedCount).toBe(1);
  });

  it("refuses an empty command with a configuration error (exit 78)", () => {
    const processor = new ReplicatingProcessor({ required: [memoryChannel("c")], optional: [], interceptors: [] });
    const make = (): ExecSource => new ExecSource("cmd", configOf(execSourceSpec, { command: "  " }), processor);
    expect(make).toThrow(UserFacingError);
    expect(make).toThrow("source `cmd`: property `command` is empty");
  });

  it("reports every counter attribute in the metrics catalogue", () => {
    forEachAttribute(new ExecSourceCounter(), (name) => expect(attributeMetric(name)?.on, name).toContain("SOURCE"));
  });
});
