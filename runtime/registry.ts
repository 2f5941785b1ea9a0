import { memoryChannelSpec } from "./channels/memory/spec";
import { filesSinkSpec } from "./sinks/files/spec";
import { tcpSourceSpec } from "./sources/tcp/spec";
import type { ComponentRole, ComponentSpec } from "./spec";

/**
 * Every component kind, by role. The compiler reads this (and only the specs, not the implementations);
 * adding a kind means adding its folder and one line here.
 */
export const COMPONENT_SPECS: readonly ComponentSpec[] = [tcpSourceSpec, memoryChannelSpec, filesSinkSpec];

export function findSpec(role: ComponentRole, kind: string): ComponentSpec | undefined {
  return COMPONENT_SPECS.find((spec) => spec.role === role && spec.kind === kind);
}

export function kindsOf(role: ComponentRole): string[] {
  return COMPONENT_SPECS.filter((spec) => spec.role === role).map((spec) => spec.kind);
}
