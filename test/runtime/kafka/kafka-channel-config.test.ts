import { describe, expect, it } from "vitest";
import { topicNameProblem } from "../../../runtime/kafka/topic-name";
import { UserFacingError } from "../../../runtime/core/errors";
import { codes, compile } from "../../helpers/compile";
import { silentLogger } from "../../helpers/silent-logger";
import { kafkaChannel } from "./kafka-channel-helpers";

/** What a user can get wrong in a kafka channel's settings, found before any broker is contacted. */
describe("kafka channel settings", () => {
  it("accepts Kafka's topic names and explains the rule for others", () => {
    for (const good of ["flowc-channel", "relay.buffer_2", "a".repeat(249)]) expect(topicNameProblem(good)).toBeUndefined();
    expect(topicNameProblem("")).toMatch(/must not be empty/);
    expect(topicNameProblem("..")).toMatch(/cannot be `.` or `..`/);
    expect(topicNameProblem("a".repeat(250))).toMatch(/at most 249 characters, this one has 250/);
    expect(topicNameProblem("logs/web")).toMatch(/only ASCII letters, digits.*not "\/"/);
    expect(topicNameProblem("café")).toMatch(/not "é"/);
  });

  it("reports an invalid topic written in the flow file as a diagnostic", () => {
    const result = compile(`tier t {
  source s = tcp { port = 5140 }
  channel c = kafka { brokers = ["k:9092"], topic = "my topic" }
  sink k = null {}
  s -> c -> k
}`);
    expect(codes(result)).toEqual(["FLOW3004"]);
    expect(result.diagnostics[0]?.message).toMatch(/topic/);
  });

  it("compiles a kafka channel with the defaults", () => {
    const result = compile(`tier t {
  source s = tcp { port = 5140 }
  channel c = kafka { brokers = env("KAFKA_BROKERS") }
  sink k = null {}
  s -> c -> k
}`);
    expect(codes(result)).toEqual([]);
  });

  it.each([
    [{ topic: "bad topic" }, /channel `c`: a topic name may contain only/],
    [{ group_id: "" }, /channel `c`: a consumer group id must not be empty/],
    [{ heartbeat_interval: 6_000, session_timeout: 6_000 }, /heartbeat_interval \(6000 ms\) must be shorter than session_timeout \(6000 ms\)/],
    [{ brokers: ["kafka1"] }, /broker "kafka1" is not host:port/],
    [{ sasl_mechanism: "plain" as const }, /needs sasl_username and sasl_password/],
  ])("refuses to start with %j (values from env() are checked at start)", async (values, message) => {
    const channel = kafkaChannel("c", ["127.0.0.1:9092"], values);
    const failure = channel.start(silentLogger());
    await expect(failure).rejects.toBeInstanceOf(UserFacingError);
    await expect(failure).rejects.toThrow(message);
    await channel.stop();
  });
});
