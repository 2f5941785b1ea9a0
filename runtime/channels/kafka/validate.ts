import type { PropertyValue } from "../../spec";

/** A consumer group id: anything but empty (Kafka refuses an empty one for group coordination). */
export function groupIdProblem(value: PropertyValue): string | undefined {
  return value === "" ? "a consumer group id must not be empty" : undefined;
}
