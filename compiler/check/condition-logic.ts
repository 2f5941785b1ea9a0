import type { Condition, Value } from "../ast";

/**
 * Propositional reasoning over route conditions. Each distinct comparison becomes a variable (`!=`, `!~`
 * and `not in` become negations, `in [a, b]` a disjunction of `==`), and a truth table decides:
 * - whether an arm can ever match given the arms before it (unreachable arms), and
 * - whether the arms together match every event (a route needs no `else`).
 * Relations between variables (e.g. `x == "a"` implies `x exists`) are ignored, which can only make the
 * answer more cautious: an arm is called unreachable, or a route exhaustive, only when that is certain.
 */
type Formula = { readonly atom: number } | { readonly not: Formula } | { readonly all: readonly Formula[] } | { readonly any: readonly Formula[] };

/** Past this many distinct comparisons the truth table is not built (2^16 rows) and nothing is proven. */
const MAX_ATOMS = 16;

export class ConditionLogic {
  private readonly atoms = new Map<string, number>();

  /** Translates a condition; undefined stands for `else` (always true). */
  formula(condition: Condition | undefined): Formula {
    if (condition === undefined) return { all: [] };
    switch (condition.$type) {
      case "OrCondition":
        return { any: condition.operands.map((operand) => this.formula(operand)) };
      case "AndCondition":
        return { all: condition.operands.map((operand) => this.formula(operand)) };
      case "NotCondition":
        return { not: this.formula(condition.operand) };
      case "Comparison": {
        const subject = condition.subject.kind === "body" ? "body" : `header:${condition.subject.name}`;
        switch (condition.operator) {
          case "exists":
            return this.atom(`${subject} exists`);
          case "==":
            return this.atom(`${subject} == ${valueKey(condition.operand)}`);
          case "!=":
            return { not: this.atom(`${subject} == ${valueKey(condition.operand)}`) };
          case "~":
            return this.atom(`${subject} ~ ${valueKey(condition.operand)}`);
          case "!~":
            return { not: this.atom(`${subject} ~ ${valueKey(condition.operand)}`) };
          case "in":
          case "not in": {
            const items = condition.operand?.$type === "ListValue" ? condition.operand.items : [];
            const any: Formula = { any: items.map((item) => this.atom(`${subject} == ${valueKey(item)}`)) };
            return condition.operator === "in" ? any : { not: any };
          }
        }
      }
    }
  }

  /** True when every row satisfying `formula` satisfies one of `earlier`; undefined when too large to tell. */
  isCoveredBy(formula: Formula, earlier: readonly Formula[]): boolean | undefined {
    return this.forAllRows((row) => !evaluate(formula, row) || earlier.some((previous) => evaluate(previous, row)));
  }

  /** True when every row satisfies one of `formulas`; undefined when too large to tell. */
  isExhaustive(formulas: readonly Formula[]): boolean | undefined {
    return this.forAllRows((row) => formulas.some((formula) => evaluate(formula, row)));
  }

  /**
   * True when no event taking an arm (it matches `formula` and none of `earlier`) can carry header `name`:
   * `header.name exists` is false in every such row. False when the arms never test it; undefined when too
   * large to tell.
   */
  excludesHeader(formula: Formula, earlier: readonly Formula[], name: string): boolean | undefined {
    const index = this.atoms.get(`header:${name} exists`);
    if (index === undefined) return false;
    return this.forAllRows((row) => !evaluate(formula, row) || earlier.some((previous) => evaluate(previous, row)) || ((row >> index) & 1) === 0);
  }

  private forAllRows(holds: (row: number) => boolean): boolean | undefined {
    if (this.atoms.size > MAX_ATOMS) return undefined;
    const rows = 2 ** this.atoms.size;
    for (let row = 0; row < rows; row++) if (!holds(row)) return false;
    return true;
  }

  private atom(key: string): Formula {
    let index = this.atoms.get(key);
    if (index === undefined) {
      index = this.atoms.size;
      this.atoms.set(key, index);
    }
    return { atom: index };
  }
}

export type { Formula };

function evaluate(formula: Formula, row: number): boolean {
  if ("atom" in formula) return ((row >> formula.atom) & 1) === 1;
  if ("not" in formula) return !evaluate(formula.not, row);
  if ("all" in formula) return formula.all.every((operand) => evaluate(operand, row));
  return formula.any.some((operand) => evaluate(operand, row));
}

function valueKey(value: Value | undefined): string {
  if (value === undefined) return "?";
  switch (value.$type) {
    case "StringValue":
      return JSON.stringify(value.value);
    case "RegexValue":
      return `/${value.pattern}/${value.flags}`;
    default:
      return `${value.$type}@${value.span.start}`;
  }
}
