import { describeValue, type Condition, type Value } from "../ast";
import type { ValueContext } from "./check-value";
import { reportBuildTimeOnly } from "./check-value";

/**
 * Checks the operands of a condition: `==`/`!=` compare with a string, `in` with a list of strings.
 * Conditions become generated code, so `env()` is refused (FLOW3008). Returns whether it is valid.
 */
export function checkCondition(condition: Condition, context: ValueContext): boolean {
  switch (condition.$type) {
    case "OrCondition":
    case "AndCondition":
      return condition.operands.map((operand) => checkCondition(operand, context)).every(Boolean);
    case "NotCondition":
      return checkCondition(condition.operand, context);
    case "Comparison":
      switch (condition.operator) {
        case "==":
        case "!=":
          return checkString(condition.operand, context);
        case "in":
        case "not in":
          if (condition.operand?.$type !== "ListValue") return false;
          return condition.operand.items.map((item) => checkString(item, context)).every(Boolean);
        case "~":
        case "!~":
          return condition.operand?.$type === "RegexValue";
        case "exists":
          return true;
      }
  }
}

function checkString(value: Value | undefined, context: ValueContext): boolean {
  if (value === undefined || value.$type === "InvalidValue") return false;
  if (value.$type === "StringValue") return true;
  if (value.$type === "CallValue" && value.callee.text === "env") {
    reportBuildTimeOnly(value.span, context, "conditions are compiled into the agent");
    return false;
  }
  context.diagnostics.report("FLOW3003", context.file, value.span, `${context.target} compares with a string, found ${describeValue(value)}`, {
    label: "expected a string",
    help: value.$type === "ReferenceValue" || value.$type === "IntegerValue" ? "header values are strings: write it in double quotes" : undefined,
  });
  return false;
}
