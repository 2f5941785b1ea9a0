import { fileChannelSpec } from "./channels/file/spec";
import { memoryChannelSpec } from "./channels/memory/spec";
import { kafkaChannelSpec } from "./channels/kafka/spec";
import { hostInterceptorSpec } from "./interceptors/host/spec";
import { regexExtractorInterceptorSpec } from "./interceptors/regex-extractor/spec";
import { regexFilterInterceptorSpec } from "./interceptors/regex-filter/spec";
import { removeHeaderInterceptorSpec } from "./interceptors/remove-header/spec";
import { searchReplaceInterceptorSpec } from "./interceptors/search-replace/spec";
import { staticInterceptorSpec } from "./interceptors/static/spec";
import { timestampInterceptorSpec } from "./interceptors/timestamp/spec";
import { uuidInterceptorSpec } from "./interceptors/uuid/spec";
import { failoverGroupSpec } from "./sink-groups/failover/spec";
import { loadBalanceGroupSpec } from "./sink-groups/load-balance/spec";
import { filesSinkSpec } from "./sinks/files/spec";
import { fileRollSinkSpec } from "./sinks/file-roll/spec";
import { tcpSourceSpec } from "./sources/tcp/spec";
import { listenSourceSpec } from "./sources/listen/spec";
import { forwardSinkSpec } from "./sinks/forward/spec";
import { spooldirSourceSpec } from "./sources/spooldir/spec";
import { execSourceSpec } from "./sources/exec/spec";
import { stdinSourceSpec } from "./sources/stdin/spec";
import { generatorSourceSpec } from "./sources/generator/spec";
import { loggerSinkSpec } from "./sinks/logger/spec";
import { nullSinkSpec } from "./sinks/null/spec";
import { httpSourceSpec } from "./sources/http/spec";
import { httpSinkSpec } from "./sinks/http/spec";
import { kafkaSinkSpec } from "./sinks/kafka/spec";
import { syslogSourceSpec } from "./sources/syslog/spec";
import { taildirSourceSpec } from "./sources/taildir/spec";
import { kafkaSourceSpec } from "./sources/kafka/spec";
import type { ComponentRole, ComponentSpec } from "./spec";

/**
 * Every component kind, by role. The compiler reads this (and only the specs, not the implementations);
 * adding a kind means adding its folder and one line here.
 */
export const COMPONENT_SPECS: readonly ComponentSpec[] = [
  tcpSourceSpec,
  listenSourceSpec,
  forwardSinkSpec,
  spooldirSourceSpec,
  execSourceSpec,
  stdinSourceSpec,
  generatorSourceSpec,
  httpSourceSpec,
  syslogSourceSpec,
  taildirSourceSpec,
  kafkaSourceSpec,
  memoryChannelSpec,
  fileChannelSpec,
  kafkaChannelSpec,
  filesSinkSpec,
  fileRollSinkSpec,
  loggerSinkSpec,
  nullSinkSpec,
  httpSinkSpec,
  kafkaSinkSpec,
  timestampInterceptorSpec,
  hostInterceptorSpec,
  staticInterceptorSpec,
  removeHeaderInterceptorSpec,
  uuidInterceptorSpec,
  regexFilterInterceptorSpec,
  regexExtractorInterceptorSpec,
  searchReplaceInterceptorSpec,
  failoverGroupSpec,
  loadBalanceGroupSpec,
];

export function findSpec(role: ComponentRole, kind: string): ComponentSpec | undefined {
  return COMPONENT_SPECS.find((spec) => spec.role === role && spec.kind === kind);
}

export function kindsOf(role: ComponentRole): string[] {
  return COMPONENT_SPECS.filter((spec) => spec.role === role).map((spec) => spec.kind);
}
