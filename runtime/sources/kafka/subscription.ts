import type { Kafka } from "kafkajs";
import { UserFacingError } from "../../core/errors";
import { topicNameProblem } from "../../kafka/topic-name";
import { compileRegex } from "../../spec";

/** What a kafka source consumes: a list of topics, or the topics whose names match a pattern. */
export interface Subscription {
  readonly topics?: readonly string[];
  readonly pattern?: RegExp;
  /** For the readiness line: `topics a,b` or `topics matching /…/`. */
  readonly describe: string;
}

/**
 * Checks that exactly one of `topics` and `topics_pattern` is set, with a message naming the source:
 * `flowc check` reports it for values in the file (the spec's `oneOf`), but values from `env()` reach only
 * the agent.
 */
export function subscriptionOf(who: string, topics: readonly string[] | undefined, pattern: string | undefined): Subscription {
  const listed = topics?.map((topic) => topic.trim()).filter((topic) => topic !== "");
  if (listed !== undefined && listed.length > 0 && pattern !== undefined) {
    throw new UserFacingError(`${who} has both topics and topics_pattern: give one of them`, 78);
  }
  if (pattern !== undefined) {
    let regex: RegExp;
    try {
      regex = compileRegex(pattern);
    } catch (error) {
      throw new UserFacingError(`${who}: topics_pattern ${pattern} is not a valid regular expression: ${(error as Error).message}`, 78);
    }
    // A global or sticky regex remembers where it last matched; the names are tested one by one.
    return { pattern: new RegExp(regex.source, regex.flags.replace(/[gy]/g, "")), describe: `topics matching ${pattern}` };
  }
  if (listed === undefined || listed.length === 0) {
    throw new UserFacingError(`${who} needs topics (a list of topic names) or topics_pattern (a regular expression)`, 78);
  }
  for (const topic of listed) {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) throw new UserFacingError(`${who}: ${JSON.stringify(topic)} is not a Kafka topic name: ${problem}`, 78);
  }
  return { topics: listed, describe: `topics ${listed.join(",")}` };
}

/**
 * The topics to subscribe to now. A pattern is matched against the cluster's topics once, here (kafkajs
 * subscribes to names, not patterns): a topic created later is picked up when the consumer next starts.
 * No match is an error, so the source logs it and tries again later rather than consume nothing quietly.
 */
export async function matchTopics(kafka: Kafka, subscription: Subscription): Promise<string[]> {
  if (subscription.topics !== undefined) return [...subscription.topics];
  const pattern = subscription.pattern as RegExp;
  const admin = kafka.admin();
  try {
    await admin.connect();
    // Internal topics (__consumer_offsets) are never wanted, whatever the pattern says.
    const matched = (await admin.listTopics()).filter((topic) => !topic.startsWith("__") && pattern.test(topic)).sort();
    if (matched.length === 0) throw new Error(`no topic matches topics_pattern ${String(pattern)}`);
    return matched;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
