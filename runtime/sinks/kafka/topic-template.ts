import type { Headers } from "../../core/event";
import { isValidTopicName, MAX_TOPIC_LENGTH, REFUSED_TOPIC_CHAR, topicNameProblem } from "../../kafka/topic-name";

/**
 * A Kafka topic written with `%{header}` escapes (`logs-%{app}`): Flume's `kafka.topic`, whose escapes read
 * the event's headers. Parsed once; rendering walks the parts without closures or regexes per event.
 *
 * Kafka accepts topic names of 1 to 249 characters among `a-z A-Z 0-9 . _ -`, other than `.` and `..`
 * (Kafka's `Topic.validate`); the literal text of a template is held to the same alphabet when it is
 * checked, and each rendered name when it is used.
 */
export interface TopicTemplate {
  /** Literal texts, one more than `headers`: `literals[0] + headers[0] + literals[1] + …`. */
  readonly literals: readonly string[];
  /** Header names read, in order. */
  readonly headers: readonly string[];
}

export class TopicTemplateError extends Error {}

/** Splits `text` into literal text and `%{header}` escapes; throws `TopicTemplateError` with a reason. */
export function parseTopicTemplate(text: string): TopicTemplate {
  const literals: string[] = [];
  const headers: string[] = [];
  let from = 0;
  for (;;) {
    const escape = text.indexOf("%{", from);
    const literal = text.slice(from, escape === -1 ? text.length : escape);
    const bad = REFUSED_TOPIC_CHAR.exec(literal);
    if (bad !== null) {
      const char = bad[0];
      throw new TopicTemplateError(
        char === "%"
          ? `\`%\` at ${from + bad.index} starts no \`%{header}\` escape; topic names cannot contain \`%\``
          : `${JSON.stringify(char)} at ${from + bad.index} is not allowed in a Kafka topic name (only letters, digits, \`.\`, \`_\` and \`-\`)`,
      );
    }
    literals.push(literal);
    if (escape === -1) break;
    const close = text.indexOf("}", escape + 2);
    if (close === -1) throw new TopicTemplateError(`\`%{\` at ${escape} is not closed by \`}\``);
    const name = text.slice(escape + 2, close);
    if (name === "" || name.includes("%{")) throw new TopicTemplateError(`\`%{${name}}\` at ${escape} names no header`);
    headers.push(name);
    from = close + 1;
  }
  if (headers.length === 0) {
    const problem = topicNameProblem(text);
    if (problem !== undefined) throw new TopicTemplateError(problem);
  } else if (literals.join("").length > MAX_TOPIC_LENGTH) {
    throw new TopicTemplateError(`its literal text alone is longer than Kafka's ${MAX_TOPIC_LENGTH} characters`);
  }
  return { literals, headers };
}

/**
 * The topic an event's headers make of the template, or undefined when a header it reads is missing or
 * empty, or the result is not a valid topic name (the sink then uses `default_topic`).
 */
export function renderTopic(template: TopicTemplate, headers: Headers): string | undefined {
  const { literals, headers: names } = template;
  let topic = literals[0] as string;
  for (let i = 0; i < names.length; i++) {
    const value = headers[names[i] as string];
    if (value === undefined || value === "") return undefined;
    topic += value + (literals[i + 1] as string);
  }
  return isValidTopicName(topic) ? topic : undefined;
}
