import type { ConnectionOptions } from "node:tls";
import type { KafkaConfig, SASLOptions } from "kafkajs";
import { UserFacingError } from "../core/errors";
import type { Logger } from "../core/log";
import { readPemFile } from "../http/tls-files";
import { kafkaLogCreator } from "./kafka-log";

/** The resolved connection settings every Kafka component has (see `kafkaConnectionProperties`). */
export interface KafkaConnectionConfig {
  readonly brokers: readonly string[];
  readonly client_id: string;
  readonly connect_timeout: number;
  readonly request_timeout: number;
  readonly tls: boolean;
  readonly tls_ca?: string;
  readonly tls_cert?: string;
  readonly tls_key?: string;
  readonly tls_verify: boolean;
  readonly sasl_mechanism: "none" | "plain" | "scram-sha-256" | "scram-sha-512";
  readonly sasl_username?: string;
  readonly sasl_password?: string;
}

/**
 * Turns a component's resolved settings into a kafkajs client configuration, reading PEM files now so a
 * missing file stops the agent at start with a message naming the component and property.
 *
 * `retries` bounds kafkajs's own retry loop for one request; the components decide what happens after it
 * gives up (a sink rolls back and its runner backs off, a consumer restarts).
 */
export function kafkaClientConfig(component: string, config: KafkaConnectionConfig, log: Logger, retries = 5): KafkaConfig {
  const brokers = config.brokers.map((broker) => broker.trim()).filter((broker) => broker !== "");
  if (brokers.length === 0) throw new UserFacingError(`${component}: brokers is empty; give at least one host:port`, 78);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(broker)) {
      throw new UserFacingError(`${component}: broker ${JSON.stringify(broker)} is not host:port`, 78);
    }
  }
  return {
    brokers,
    clientId: config.client_id,
    connectionTimeout: config.connect_timeout,
    authenticationTimeout: config.connect_timeout,
    requestTimeout: config.request_timeout,
    ssl: tlsOptions(component, config, log),
    sasl: saslOptions(component, config),
    retry: { retries, initialRetryTime: 100, maxRetryTime: 5_000 },
    logCreator: kafkaLogCreator(log),
  };
}

function tlsOptions(component: string, config: KafkaConnectionConfig, log: Logger): ConnectionOptions | undefined {
  if (!config.tls) return undefined;
  if (!config.tls_verify) log.warn("tls_verify = false: broker certificates are not checked", { component });
  return {
    rejectUnauthorized: config.tls_verify,
    ca: config.tls_ca === undefined ? undefined : readPemFile(component, "tls_ca", config.tls_ca),
    cert: config.tls_cert === undefined ? undefined : readPemFile(component, "tls_cert", config.tls_cert),
    key: config.tls_key === undefined ? undefined : readPemFile(component, "tls_key", config.tls_key),
  };
}

function saslOptions(component: string, config: KafkaConnectionConfig): SASLOptions | undefined {
  if (config.sasl_mechanism === "none") return undefined;
  if (config.sasl_username === undefined || config.sasl_password === undefined) {
    throw new UserFacingError(`${component}: sasl_mechanism = ${config.sasl_mechanism} needs sasl_username and sasl_password`, 78);
  }
  return { mechanism: config.sasl_mechanism, username: config.sasl_username, password: config.sasl_password };
}
