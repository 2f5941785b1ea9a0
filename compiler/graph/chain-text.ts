import type { SourcePlan } from "../ir";
import { conditionText } from "./condition-text";

/**
 * A source's kind and interceptor chain as written in `.flow`, without properties:
 * `tcp | host | timestamp | drop(body ~ /healthcheck/)`. Just the kind when there is no chain.
 */
export function chainText(source: SourcePlan): string {
  const links = source.interceptors.map((link) => (link.role === "drop" ? `drop(${conditionText(link.condition)})` : link.kind));
  return [source.kind, ...links].join(" | ");
}
