/**
 * The reserved words of the `.flow` language. The grammar makes its keyword tokens from this list, and
 * code that writes `.flow` text (route conditions in `flowc graph` and the agent's `--describe`) reads it to
 * know which header names must be quoted. Kept free of dependencies, so agents can carry it.
 */
export const KEYWORD_WORDS = [
  "import", "tier", "source", "channel", "sink", "group", "route", "when", "else", "optional", "drop",
  "test", "send", "expect", "dropped", "and", "or", "not", "in", "exists", "true", "false",
] as const;

export type KeywordWord = (typeof KEYWORD_WORDS)[number];
