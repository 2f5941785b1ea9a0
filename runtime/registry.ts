import { fileChannelSpec } from "./channels/file/spec";
import { memoryChannelSpec } from "./channels/memory/spec";
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
import { tcpSourceSpec } from "./sources/tcp/spec";
import type { ComponentRole, ComponentSpec } from "./spec";

/**
 * Every component kind, by role. The compiler reads this (and only the specs, not the implementations);
 * adding a kind means adding its folder and one line here.
 */
export const COMPONENT_SPECS: readonly ComponentSpec[] = [
  tcpSourceSpec,
  memoryChannelSpec,
  fileChannelSpec,
  filesSinkSpec,
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
