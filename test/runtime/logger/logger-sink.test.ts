import { describe, expect, it } from "vitest";
import { SinkRunner } from "../../../runtime/sink-runner/sink-runner";
import { LoggerSink, type LineOutput } from "../../../runtime/sinks/logger/logger-sink";
import { loggerSinkSpec } from "../../../runtime/sinks/logger/spec";
import { putCommitted } from "../../helpers/channel-io";
import { event } from "../../helpers/events";
import { memoryChannel } from "../../helpers/memory-channel";
import { silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";

/** An output that records each write, and fails them while `failing` is set. */
function output(): LineOutput & { writes: string[]; failing: boolean } {
  const out = {
    writes: [] as string[],
    failing: false,
    write(text: string, done: (error?: Error | null) => void): boolean {
      if (out.failing) done(new Error("write EPIPE"));
      else {
        out.writes.push(text);
        done();
      }
      return true;
    },
  };
  return out;
}

describe("logger sink", () => {
  it("writes a batch as one write of one line per event", async () => {
    const out = output();
    const sink = new LoggerSink("log", configOf(loggerSinkSpec), out);
    await sink.start(silentLogger());
    await sink.write([event("one", { k: "v" }), event("two")]);
    expect(out.writes).toEqual(["{k=v} one\n{} two\n"]);
    expect(sink.counter.ConnectionCreatedCount).toBe(1);
  });

  it("cuts bodies at max_body_length", async () => {
    const out = output();
    const sink = new LoggerSink("log", configOf(loggerSinkSpec, { max_body_length: 3 }), out);
    await sink.start(silentLogger());
    await sink.write([event("abcdef")]);
    expect(out.writes).toEqual(["{} abc... (+3 bytes)\n"]);
  });

  it("rejects a batch whose write failed, so the runner keeps it in the channel and retries", async () => {
    const out = output();
    const sink = new LoggerSink("log", configOf(loggerSinkSpec), out);
    const channel = memoryChannel("c");
    await channel.start();
    const runner = new SinkRunner(sink, channel, { failureBackoffMs: 1, maxFailureBackoffMs: 5 });
    out.failing = true;
    await runner.start(silentLogger());
    putCommitted(channel, [event("kept")]);
    await waitFor("failed deliveries", () => sink.counter.EventWriteFail >= 2, 5_000);
    expect(channel.size()).toBe(1);
    out.failing = false;
    await waitFor("the delivery", () => out.writes.length === 1, 5_000);
    expect(out.writes).toEqual(["{} kept\n"]);
    expect(await runner.drainAndStop(Date.now() + 1_000)).toBe(0);
    expect(sink.counter.ConnectionClosedCount).toBe(1);
  });

  it("refuses to write before start, and stops idempotently", async () => {
    const sink = new LoggerSink("log", configOf(loggerSinkSpec), output());
    await expect(sink.write([event("x")])).rejects.toThrow("sink `log` is not started");
    await sink.stop();
    await sink.start(silentLogger());
    await sink.stop();
    await sink.stop();
    expect(sink.counter.ConnectionClosedCount).toBe(1);
  });
});
