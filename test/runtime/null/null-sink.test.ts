import { describe, expect, it } from "vitest";
import { SinkRunner } from "../../../runtime/sink-runner/sink-runner";
import { NullSink } from "../../../runtime/sinks/null/null-sink";
import { nullSinkSpec } from "../../../runtime/sinks/null/spec";
import { putCommitted } from "../../helpers/channel-io";
import { numberedEvents } from "../../helpers/events";
import { memoryChannel } from "../../helpers/memory-channel";
import { silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { waitFor } from "../../helpers/wait-for";

describe("null sink", () => {
  it("discards everything it is given and counts it through the runner, in batches of batch_size", async () => {
    const sink = new NullSink("void", configOf(nullSinkSpec, { batch_size: 100 }));
    expect(sink.batchSize).toBe(100);
    const channel = memoryChannel("c", { capacity: 10_000, transaction_capacity: 1_000 });
    await channel.start();
    const runner = new SinkRunner(sink, channel);
    await runner.start(silentLogger());
    for (let i = 0; i < 25; i++) putCommitted(channel, numberedEvents(100, "e", i * 100));
    await waitFor("everything discarded", () => sink.counter.EventDrainSuccessCount === 2_500, 5_000);
    expect(channel.size()).toBe(0);
    expect(sink.counter.BatchCompleteCount).toBe(25);
    expect(await runner.drainAndStop(Date.now() + 1_000)).toBe(0);
    expect([sink.counter.ConnectionCreatedCount, sink.counter.ConnectionClosedCount]).toEqual([1, 1]);
  });
});
