import type { PropertyValue } from "../../spec";
import { topicNameProblem } from "../../kafka/topic-name";
import { parseTopicTemplate, TopicTemplateError } from "./topic-template";

// The checks of the `kafka` sink spec's `validate`: `flowc check` reports a value written in the file that
// fails one (FLOW3004), and the sink runs the same checks on `env()` values when it is constructed.

/** A `topic` the sink cannot use: an unclosed `%{`, an empty escape, characters Kafka refuses. */
export function topicTemplateProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    parseTopicTemplate(value);
    return undefined;
  } catch (error) {
    if (error instanceof TopicTemplateError) return error.message;
    throw error;
  }
}

/** A `default_topic` Kafka would refuse (it has no escapes: it is where events go when the template fails). */
export function defaultTopicProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  return value.includes("%{") ? "takes no `%{header}` escapes: it is the topic of events whose `topic` could not be formed" : topicNameProblem(value);
}
