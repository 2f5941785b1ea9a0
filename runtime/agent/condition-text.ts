import { KEYWORD_WORDS } from "../spec/keywords";
import type { PlanCondition, PlanSubject } from "./tier-plan";

/** How tightly each form binds, as in the grammar: `or` < `and` < `not` < a comparison. */
const PRECEDENCE = { any: 1, all: 2, not: 3, comparison: 4 } as const;

const KEYWORDS: ReadonlySet<string> = new Set(KEYWORD_WORDS);

/**
 * Writes a plan condition back as `.flow` source (for `flowc graph` and the agent's `--describe`): `header.level in ["ERROR", "FATAL"]`,
 * `body !~ /healthcheck/i`, `not (header.a exists or header.b == "x")`. Lowering turned `!=`, `!~` and
 * `not in` into `not`; they come back as written. Parentheses appear only where precedence needs them.
 */
export function conditionText(condition: PlanCondition): string {
  return write(condition, 0);
}

function write(condition: PlanCondition, context: number): string {
  const [text, precedence] = form(condition);
  return precedence < context ? `(${text})` : text;
}

function form(condition: PlanCondition): [string, number] {
  if ("any" in condition) return [condition.any.map((operand) => write(operand, PRECEDENCE.any + 1)).join(" or "), PRECEDENCE.any];
  if ("all" in condition) return [condition.all.map((operand) => write(operand, PRECEDENCE.all + 1)).join(" and "), PRECEDENCE.all];
  if ("not" in condition) {
    const negated = negatedComparison(condition.not);
    if (negated !== undefined) return [negated, PRECEDENCE.comparison];
    return [`not ${write(condition.not, PRECEDENCE.not)}`, PRECEDENCE.not];
  }
  const subject = subjectText(condition.subject);
  switch (condition.test) {
    case "equals":
      return [`${subject} == ${flowString(condition.value)}`, PRECEDENCE.comparison];
    case "oneOf":
      return [`${subject} in ${flowList(condition.values)}`, PRECEDENCE.comparison];
    case "matches":
      return [`${subject} ~ ${flowRegex(condition.pattern, condition.flags)}`, PRECEDENCE.comparison];
    case "exists":
      return [`${subject} exists`, PRECEDENCE.comparison];
  }
}

/** `!=`, `not in` and `!~`, which lowering wrote as `not` around a comparison; `exists` has no negated form. */
function negatedComparison(condition: PlanCondition): string | undefined {
  if (!("test" in condition)) return undefined;
  const subject = subjectText(condition.subject);
  switch (condition.test) {
    case "equals":
      return `${subject} != ${flowString(condition.value)}`;
    case "oneOf":
      return `${subject} not in ${flowList(condition.values)}`;
    case "matches":
      return `${subject} !~ ${flowRegex(condition.pattern, condition.flags)}`;
    case "exists":
      return undefined;
  }
}

/** `header.level`, or `header["x-request-id"]` for a name that is not an identifier (or is a keyword). */
function subjectText(subject: PlanSubject): string {
  if ("body" in subject) return "body";
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(subject.header) && !KEYWORDS.has(subject.header);
  return plain ? `header.${subject.header}` : `header[${flowString(subject.header)}]`;
}

function flowList(values: readonly string[]): string {
  return `[${values.map(flowString).join(", ")}]`;
}

/**
 * The pattern as written (a `/` in it is still `\/`), so this is the literal of the source; a raw control
 * character, which the lexer accepts, becomes the equivalent `\xHH` escape.
 */
function flowRegex(pattern: string, flags: string): string {
  const visible = pattern.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (character) => {
    const code = character.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).toUpperCase()}` : `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  });
  return `/${visible}/${flags}`;
}

/**
 * A `.flow` string literal for `value`, with the language's escapes (`\\ \" \n \r \t \u{…}`), so the
 * text never holds a raw line break or control character, whatever the value.
 */
export function flowString(value: string): string {
  let text = "";
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (character === "\\") text += "\\\\";
    else if (character === '"') text += '\\"';
    else if (character === "\n") text += "\\n";
    else if (character === "\r") text += "\\r";
    else if (character === "\t") text += "\\t";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) text += `\\u{${code.toString(16).toUpperCase()}}`;
    else text += character;
  }
  return `"${text}"`;
}
