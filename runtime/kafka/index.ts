export { kafkaConnectionProperties } from "./connection-properties";
export { kafkaClientConfig, type KafkaConnectionConfig } from "./client-config";
export { isRetriableKafkaError, describeKafkaError } from "./errors";
