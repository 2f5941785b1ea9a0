import type { PropertyValue } from "../../spec";

/**
 * Kafka's own rule for topic names (`Topic.validate`): 1 to 249 characters of ASCII letters, digits, `.`,
 * `_` and `-`, and not `.` or `..`. Checked before start, so a typo is a diagnostic, not a broker error.
 */
export function topicNameProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value === "") return "a topic name must not be empty";
  if (value === "." || value === "..") return "a topic name cannot be `.` or `..`";
  if (value.length > 249) return `a topic name has at most 249 characters, this one has ${value.length}`;
  const bad = /[^a-zA-Z0-9._-]/.exec(value);
  if (bad !== null) return `a topic name may contain only ASCII letters, digits, \`.\`, \`_\` and \`-\`, not ${JSON.stringify(bad[0])}`;
  return undefined;
}

/** A consumer group id: anything but empty (Kafka refuses an empty one for group coordination). */
export function groupIdProblem(value: PropertyValue): string | undefined {
  return value === "" ? "a consumer group id must not be empty" : undefined;
}
