import { CompressionTypes } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import { KafkaSink } from "../../../runtime/sinks/kafka/kafka-sink";
import { KafkaSinkCounter } from "../../../runtime/sinks/kafka/kafka-sink-counter";
import { producerSettings } from "../../../runtime/sinks/kafka/producer-settings";
import { recordBytes, RecordBatcher } from "../../../runtime/sinks/kafka/record-batch";
import { kafkaSinkSpec } from "../../../runtime/sinks/kafka/spec";
import { parseTopicTemplate, renderTopic } from "../../../runtime/sinks/kafka/topic-template";
import { event } from "../../helpers/events";
import { silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { createTempDir } from "../../helpers/temp-dir";
import { selfSigned } from "../../helpers/tls-certs";

const BROKERS = ["127.0.0.1:9092"];

describe("kafka sink topic templates", () => {
  const validate = kafkaSinkSpec.properties.topic.validate;

  it("accepts names and %{header} escapes, and renders them from headers", () => {
    expect(validate("logs")).toBeUndefined();
    expect(validate("logs-%{app}.%{env}_v1")).toBeUndefined();
    const template = parseTopicTemplate("logs-%{app}.%{env}");
    expect(renderTopic(template, { app: "web", env: "prod" })).toBe("logs-web.prod");
  });

  it("refuses what Kafka or the template syntax would not take, saying why", () => {
    expect(validate("logs-%{app")).toMatch(/not closed/);
    expect(validate("logs-%{}")).toMatch(/names no header/);
    expect(validate("logs/%{app}")).toMatch(/"\/" at 4 is not allowed/);
    expect(validate("100%")).toMatch(/starts no `%\{header\}` escape/);
    expect(validate("")).toMatch(/empty/);
    expect(validate("..")).toMatch(/not a valid topic name/);
    expect(validate("x".repeat(250))).toMatch(/at most 249/);
    expect(kafkaSinkSpec.properties.default_topic.validate("a-%{b}")).toMatch(/takes no/);
    expect(kafkaSinkSpec.properties.default_topic.validate("default-flume-topic")).toBeUndefined();
  });

  it("renders nothing (the sink then uses default_topic) for a missing or empty header or a name Kafka refuses", () => {
    const template = parseTopicTemplate("logs-%{app}");
    expect(renderTopic(template, {})).toBeUndefined();
    expect(renderTopic(template, { app: "" })).toBeUndefined();
    expect(renderTopic(template, { app: "a b" })).toBeUndefined();
    expect(renderTopic(template, { app: "x".repeat(245) })).toBeUndefined();
    expect(renderTopic(parseTopicTemplate("%{t}"), { t: ".." })).toBeUndefined();
  });
});

describe("kafka sink records", () => {
  it("groups records by topic in order, shares headers and bodies, and reads key, partition and timestamp from headers", () => {
    const counter = new KafkaSinkCounter();
    const settings = {
      topic: parseTopicTemplate("t-%{app}"),
      defaultTopic: "other",
      keyHeader: "k",
      partitionHeader: "p",
      timestampHeader: "ts",
      recordHeaders: true,
      maxRequestBytes: 1_000_000,
      onOversize: "drop" as const,
    };
    const events = [event("1", { app: "a", k: "key1", p: "2", ts: "17" }), event("2", { app: "b" }), event("3", { app: "a", p: "-1" }), event("4")];
    const requests = new RecordBatcher(settings, counter).requests(events, []);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.map((topic) => [topic.topic, topic.messages.map((m) => String(m.value))])).toEqual([
      ["t-a", ["1", "3"]],
      ["t-b", ["2"]],
      ["other", ["4"]],
    ]);
    const first = request?.[0]?.messages[0];
    expect(first).toEqual({ key: "key1", value: events[0]?.body, partition: 2, headers: events[0]?.headers, timestamp: "17" });
    expect(first?.headers).toBe(events[0]?.headers);
    expect(first?.value).toBe(events[0]?.body);
    expect(counter.TopicFallbackCount).toBe(1);
    expect(counter.PartitionFallbackCount).toBe(1); // "-1"; a missing header is not a fallback
    expect(counter.TimestampFallbackCount).toBe(3);
  });

  it("estimates a record's size from body, key and headers in UTF-8 bytes", () => {
    expect(recordBytes(10, undefined, undefined)).toBe(34);
    expect(recordBytes(10, "é", { a: "bé" })).toBe(34 + 2 + 8 + 1 + 3);
  });
});

describe("kafka sink producer settings", () => {
  const dir = createTempDir("flowc-kafka-sink-tls-");
  afterAll(() => dir.remove());
  const counter = new KafkaSinkCounter();

  it("maps acks, compression, idempotence and the client id", () => {
    const settings = producerSettings("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, client_id: "edge-7" }), counter, silentLogger());
    expect(settings.acks).toBe(-1);
    expect(settings.compression).toBe(CompressionTypes.None);
    expect(settings.client.clientId).toBe("edge-7");
    expect(settings.producer.idempotent).toBe(false);
    expect(settings.producer.createPartitioner).toBeTypeOf("function");
    const leader = producerSettings("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, acks: "leader", compression: "gzip", idempotent: false }), counter, silentLogger());
    expect([leader.acks, leader.compression]).toEqual([1, CompressionTypes.GZIP]);
    expect(producerSettings("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, acks: "none" }), counter, silentLogger()).acks).toBe(0);
    const idempotent = producerSettings("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, idempotent: true }), counter, silentLogger());
    expect(idempotent.producer).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
  });

  it("maps SASL and TLS to KafkaJS's options, reading the PEM files", () => {
    const ca = selfSigned(dir.path, "ca");
    const client = selfSigned(dir.path, "client");
    const settings = producerSettings(
      "k1",
      configOf(kafkaSinkSpec, {
        brokers: BROKERS,
        tls: true,
        tls_ca: ca.cert,
        tls_cert: client.cert,
        tls_key: client.key,
        sasl_mechanism: "scram-sha-512",
        sasl_username: "flume",
        sasl_password: "s3cret",
      }),
      counter,
      silentLogger(),
    );
    expect(settings.client.sasl).toEqual({ mechanism: "scram-sha-512", username: "flume", password: "s3cret" });
    const ssl = settings.client.ssl as { rejectUnauthorized: boolean; ca: Buffer; cert: Buffer; key: Buffer };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(String(ssl.ca)).toContain("BEGIN CERTIFICATE");
    expect(String(ssl.key)).toContain("PRIVATE KEY");
    expect(producerSettings("k1", configOf(kafkaSinkSpec, { brokers: BROKERS }), counter, silentLogger()).client.ssl).toBeUndefined();
  });

  it("stops the agent at start with a clear message for a missing TLS file or half a SASL login", async () => {
    const missing = new KafkaSink("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, tls: true, tls_ca: `${dir.path}/nope.pem` }));
    await expect(missing.start(silentLogger())).rejects.toThrow(UserFacingError);
    await expect(missing.start(silentLogger())).rejects.toThrow(/tls_ca/);
    const half = new KafkaSink("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, sasl_mechanism: "plain", sasl_username: "u" }));
    await expect(half.start(silentLogger())).rejects.toThrow(/needs sasl_username and sasl_password/);
  });
});

describe("kafka sink settings from env()", () => {
  it("checks values the compiler could not see, naming the sink", () => {
    const make = (values: object) => () => new KafkaSink("k1", configOf(kafkaSinkSpec, { brokers: BROKERS, ...values }));
    expect(make({ topic: "logs-%{app" })).toThrow(/sink `k1`: topic "logs-%\{app": .*not closed/);
    expect(make({ default_topic: "a b" })).toThrow(/sink `k1`: default_topic/);
    expect(make({ idempotent: true, acks: "leader" })).toThrow(/`idempotent = true` needs `acks = "all"`/);
    expect(make({ topic: "logs-%{app}" })).not.toThrow();
  });
});
