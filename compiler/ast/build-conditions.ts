import type { CstNode, IToken } from "chevrotain";
import { nearestNames } from "../diagnostics";
import type { ValueBuilder } from "./build-values";
import { children, nodes, nodeSpan, token, tokenSpan } from "./cst-access";
import type { ComparisonOperator, Condition, Subject } from "./nodes";

/**
 * Builds route and `drop()` conditions. `a or b or c` becomes one `OrCondition` with three operands (and
 * likewise for `and`), so later phases see flat lists. Returns undefined for a condition that recovery
 * left incomplete or whose subject is unknown (already reported).
 */
export function buildCondition(node: CstNode, values: ValueBuilder): Condition | undefined {
  const operands = nodes(node, "andCondition").map((and) => buildAnd(and, values));
  if (operands.some((operand) => operand === undefined) || operands.length === 0) return undefined;
  const span = nodeSpan(node);
  if (span === undefined) return undefined;
  return operands.length === 1 ? operands[0] : { $type: "OrCondition", operands: operands as Condition[], span };
}

function buildAnd(node: CstNode, values: ValueBuilder): Condition | undefined {
  const operands = nodes(node, "notCondition").map((not) => buildNot(not, values));
  const span = nodeSpan(node);
  if (operands.some((operand) => operand === undefined) || operands.length === 0 || span === undefined) return undefined;
  return operands.length === 1 ? operands[0] : { $type: "AndCondition", operands: operands as Condition[], span };
}

function buildNot(node: CstNode, values: ValueBuilder): Condition | undefined {
  const span = nodeSpan(node);
  if (span === undefined) return undefined;
  const inner = nodes(node, "notCondition")[0];
  if (inner !== undefined) {
    const operand = buildNot(inner, values);
    return operand === undefined ? undefined : { $type: "NotCondition", operand, span };
  }
  const atom = nodes(node, "atomCondition")[0];
  if (atom === undefined) return undefined;
  const nested = nodes(atom, "condition")[0];
  if (nested !== undefined) return buildCondition(nested, values);
  const subjectNode = nodes(atom, "subject")[0];
  const comparisonNode = nodes(atom, "comparison")[0];
  if (subjectNode === undefined || comparisonNode === undefined) return undefined;
  const subject = buildSubject(subjectNode, values);
  const comparison = buildComparison(comparisonNode, values);
  if (subject === undefined || comparison === undefined) return undefined;
  return { $type: "Comparison", subject, operator: comparison.operator, operand: comparison.operand, span };
}

function buildSubject(node: CstNode, values: ValueBuilder): Subject | undefined {
  const head = token(node, "Identifier");
  const span = nodeSpan(node);
  if (head === undefined || span === undefined) return undefined;
  const field = token(node, "field");
  const key = token(node, "StringLiteral");
  if (head.image === "body" && field === undefined && key === undefined) return { kind: "body", span };
  if (head.image === "header" && (field !== undefined || key !== undefined)) {
    if (field !== undefined) return { kind: "header", name: field.image, span };
    const decoded = values.string(key as IToken, tokenSpan(key as IToken));
    return decoded.$type === "StringValue" ? { kind: "header", name: decoded.value, span } : undefined;
  }
  const near = nearestNames(head.image, ["header", "body"]);
  values.diagnostics.report("FLOW2005", values.source, span, `conditions read \`header.NAME\` or \`body\`, not \`${values.source.text.slice(span.start, span.end)}\``, {
    label: "unknown subject",
    help:
      head.image === "header" || near[0] === "header"
        ? 'write `header.level` or `header["x-request-id"]` for a header named with other characters'
        : near[0] === "body"
          ? "write `body` to match the event body as UTF-8 text"
          : 'a condition starts with `header.NAME`, `header["NAME"]` or `body`',
  });
  return undefined;
}

function buildComparison(node: CstNode, values: ValueBuilder): { operator: ComparisonOperator; operand: Comparison["operand"] } | undefined {
  if (token(node, "Exists") !== undefined) return { operator: "exists", operand: undefined };
  const regex = token(node, "RegexLiteral");
  if (regex !== undefined) {
    const operand = values.regex(regex);
    return { operator: token(node, "NotMatch") !== undefined ? "!~" : "~", operand };
  }
  const list = nodes(node, "list")[0];
  if (token(node, "In") !== undefined) {
    if (list === undefined) return undefined;
    const span = nodeSpan(list) ?? { start: 0, end: 0 };
    const operand = { $type: "ListValue" as const, items: nodes(list, "value").map((item) => values.value(item)), span };
    return { operator: token(node, "Not") !== undefined ? "not in" : "in", operand };
  }
  const valueNode = nodes(node, "value")[0];
  if (valueNode === undefined || children(node, "EqualEqual").length + children(node, "NotEqual").length === 0) return undefined;
  return { operator: token(node, "NotEqual") !== undefined ? "!=" : "==", operand: values.value(valueNode) };
}

type Comparison = Extract<Condition, { $type: "Comparison" }>;
