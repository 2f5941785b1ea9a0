import type { Condition, Value } from "../ast";
import type { PlanCondition, PlanSubject } from "./plan";

/** Normalises a checked condition: `!=`, `!~` and `not in` become `not`, and lists of operands stay flat. */
export function lowerCondition(condition: Condition): PlanCondition {
  switch (condition.$type) {
    case "OrCondition":
      return { any: condition.operands.map(lowerCondition) };
    case "AndCondition":
      return { all: condition.operands.map(lowerCondition) };
    case "NotCondition":
      return { not: lowerCondition(condition.operand) };
    case "Comparison": {
      const subject: PlanSubject = condition.subject.kind === "body" ? { body: true } : { header: condition.subject.name };
      const operand = condition.operand;
      switch (condition.operator) {
        case "exists":
          return { subject, test: "exists" };
        case "==":
          return { subject, test: "equals", value: text(operand) };
        case "!=":
          return { not: { subject, test: "equals", value: text(operand) } };
        case "in":
        case "not in": {
          const values = operand?.$type === "ListValue" ? operand.items.map(text) : [];
          const oneOf: PlanCondition = { subject, test: "oneOf", values };
          return condition.operator === "in" ? oneOf : { not: oneOf };
        }
        case "~":
        case "!~": {
          const regex = operand?.$type === "RegexValue" ? operand : { pattern: "", flags: "" };
          const matches: PlanCondition = { subject, test: "matches", pattern: regex.pattern, flags: regex.flags };
          return condition.operator === "~" ? matches : { not: matches };
        }
      }
    }
  }
}

/** Operands were checked to be strings; lowering runs only without errors. */
function text(value: Value | undefined): string {
  if (value?.$type !== "StringValue") throw new Error("internal: a condition operand reached lowering unchecked");
  return value.value;
}
