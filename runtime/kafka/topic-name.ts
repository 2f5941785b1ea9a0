import type { PropertyValue } from "../spec";

/** Kafka's longest topic name (`Topic.validate`). */
export const MAX_TOPIC_LENGTH = 249;
/** A character Kafka refuses in a topic name: it takes ASCII letters, digits, `.`, `_` and `-`. */
export const REFUSED_TOPIC_CHAR = /[^a-zA-Z0-9._-]/;

/**
 * Why Kafka would refuse a topic name (its `Topic.validate`: 1 to 249 ASCII letters, digits, `.`, `_` and
 * `-`, and not `.` or `..`), or undefined for a valid one or a value that is not a string. The sink, source
 * and channel all check their topics with it, at `flowc check` (a spec's `validate`) and at start.
 */
export function topicNameProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value === "") return "a topic name must not be empty";
  if (value === "." || value === "..") return `\`${value}\` is not a valid topic name: it cannot be \`.\` or \`..\``;
  if (value.length > MAX_TOPIC_LENGTH) return `a topic name has at most ${MAX_TOPIC_LENGTH} characters, this one has ${value.length}`;
  const bad = REFUSED_TOPIC_CHAR.exec(value);
  if (bad !== null) return `a topic name may contain only ASCII letters, digits, \`.\`, \`_\` and \`-\`, not ${JSON.stringify(bad[0])}`;
  return undefined;
}

/** Whether Kafka accepts `name` as a topic name (the hot-path form of `topicNameProblem`: no message built). */
export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TOPIC_LENGTH && name !== "." && name !== ".." && !REFUSED_TOPIC_CHAR.test(name);
}
