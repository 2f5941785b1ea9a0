import type { PropertySpec } from "../spec";

/**
 * How every Kafka component (sink, source, channel) reaches the cluster. Declared once and spread into each
 * kind's spec, so the three agree on names, defaults and docs.
 */
export const kafkaConnectionProperties = {
  brokers: {
    type: { kind: "list", of: { kind: "string" } },
    required: true,
    doc: "Bootstrap brokers as `host:port`, usually from the environment: `brokers = env(\"KAFKA_BROKERS\")` with `KAFKA_BROKERS=kafka1:9092,kafka2:9092`. The client learns the rest of the cluster from them.",
  },
  client_id: {
    type: { kind: "string" },
    default: "flowc",
    doc: "Client id sent with every request; brokers use it in their logs, metrics and quotas.",
  },
  connect_timeout: {
    type: { kind: "duration", min: 1 },
    default: 10_000,
    doc: "How long connecting to a broker may take, TLS and authentication included.",
  },
  request_timeout: {
    type: { kind: "duration", min: 1 },
    default: 30_000,
    doc: "How long a request may wait for the broker's answer before it is retried.",
  },
  tls: {
    type: { kind: "boolean" },
    default: false,
    doc: "Connect to the brokers with TLS, verifying their certificates.",
  },
  tls_ca: {
    requires: [{ property: "tls", equals: true }],
    type: { kind: "string" },
    doc: "PEM file of the CA that signed the brokers' certificates; without it the system's CAs are trusted.",
  },
  tls_cert: {
    requires: [{ property: "tls", equals: true }, "tls_key"],
    type: { kind: "string" },
    doc: "PEM file with a client certificate, for brokers that require one (mutual TLS, `ssl.client.auth=required`).",
  },
  tls_key: {
    requires: [{ property: "tls", equals: true }, "tls_cert"],
    type: { kind: "string" },
    doc: "PEM file with the client certificate's private key.",
  },
  tls_verify: {
    type: { kind: "boolean" },
    default: true,
    doc: "Verify the brokers' certificates. False accepts any certificate (and logs a warning at start): for tests only.",
  },
  sasl_mechanism: {
    type: { kind: "enum", values: ["none", "plain", "scram-sha-256", "scram-sha-512"] },
    default: "none",
    doc: "SASL authentication: `plain` (use it with `tls`, the password crosses the wire), `scram-sha-256` or `scram-sha-512`.",
  },
  sasl_username: {
    requires: ["sasl_password"],
    type: { kind: "string" },
    doc: "SASL user name (with `sasl_mechanism`).",
  },
  sasl_password: {
    requires: ["sasl_username"],
    type: { kind: "string" },
    secret: true,
    doc: "SASL password of `sasl_username`; use `env()`.",
  },
} as const satisfies Record<string, PropertySpec>;
