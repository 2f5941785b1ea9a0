// The runtime library every generated agent imports (as `flowc/runtime`).
export { FlowEvent, type Headers } from "./core/event";
export type { Channel, PutTransaction, TakeTransaction } from "./core/channel";
export type { ChannelProcessor, Interceptor, Sink, Source } from "./core/component";
export { ChannelFullError, UserFacingError } from "./core/errors";
export { createLogger, type Logger, type LogLevel } from "./core/log";
export { ChannelCounter, SinkCounter, SourceCounter } from "./metrics/counters";
export { MemoryChannel } from "./channels/memory/memory-channel";
export { TcpSource } from "./sources/tcp/tcp-source";
export { FilesSink } from "./sinks/files/files-sink";
export { ReplicatingProcessor } from "./processors/replicating-processor";
export { SinkRunner } from "./sink-runner/sink-runner";
export { EnvReader, type EnvLookup } from "./agent/env-reader";
export { runAgent, type AgentTopology } from "./agent/run-agent";
export type { AgentIdentity } from "./agent/agent-options";
