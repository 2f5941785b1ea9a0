import type { PlanCondition, PlanSubject } from "../ir";
import { asciiLiteralOf } from "./literal-pattern";

/**
 * Compiles plan conditions to TypeScript expressions over the generated loop's `event` and its
 * `headers`. The body is read as `event.bodyText()`, which decodes it at most once per event, however
 * many interceptors and arms read it, and never when none does; a body regex that is a plain ASCII
 * literal searches the body's bytes instead (`asciiLiteralOf`). Regexes, their byte strings and large
 * `in` lists become module constants, made once.
 */
export class ConditionCompiler {
  /** Module-level constant declarations the expressions refer to, in order. */
  readonly constants: string[] = [];
  /** Runtime exports the constants use. */
  readonly imports = new Set<string>();
  private readonly regexes = new Map<string, string>();
  private readonly sets = new Map<string, string>();
  private readonly bytePatterns = new Map<string, string>();

  constructor(private readonly prefix: string) {}

  /**
   * The expression of `condition`. Each header it reads gets a local of the loop, recorded in `locals`
   * (header name → local name): the loop declares them once per event, see `declareLocals`.
   */
  expression(condition: PlanCondition, locals: Map<string, string>): string {
    if ("any" in condition) return condition.any.length === 0 ? "false" : `(${condition.any.map((c) => this.expression(c, locals)).join(" || ")})`;
    if ("all" in condition) return condition.all.length === 0 ? "true" : `(${condition.all.map((c) => this.expression(c, locals)).join(" && ")})`;
    if ("not" in condition) return `!${this.expression(condition.not, locals)}`;
    const value = subjectValue(condition.subject, locals);
    switch (condition.test) {
      case "exists":
        return "body" in condition.subject ? "true" : `${value} !== undefined`;
      case "equals":
        return `${value} === ${JSON.stringify(condition.value)}`;
      case "oneOf":
        if (condition.values.length === 0) return "false";
        if (condition.values.length <= 3) return `(${condition.values.map((v) => `${value} === ${JSON.stringify(v)}`).join(" || ")})`;
        return `${this.set(condition.values)}.has(${value} as string)`;
      case "matches": {
        const literal = "body" in condition.subject ? asciiLiteralOf(condition.pattern, condition.flags) : undefined;
        if (literal !== undefined) return `${this.bytePattern(literal)}.foundIn(event.body)`;
        const regex = this.regex(condition.pattern, condition.flags);
        return "body" in condition.subject ? `${regex}.test(${value})` : `(${value} !== undefined && ${regex}.test(${value}))`;
      }
    }
  }

  private regex(pattern: string, flags: string): string {
    // `g` and `y` make `test` stateful (lastIndex) across events: matching one event must not depend on the last.
    const literal = `/${pattern}/${flags.replace(/[gy]/g, "")}`;
    let name = this.regexes.get(literal);
    if (name === undefined) {
      name = `${this.prefix}_re${this.regexes.size + 1}`;
      this.regexes.set(literal, name);
      this.constants.push(`const ${name} = ${literal};`);
    }
    return name;
  }

  /** A module constant searching bodies' bytes for `text` (ASCII), without decoding them. */
  private bytePattern(text: string): string {
    let name = this.bytePatterns.get(text);
    if (name === undefined) {
      name = `${this.prefix}_bytes${this.bytePatterns.size + 1}`;
      this.bytePatterns.set(text, name);
      this.constants.push(`const ${name} = new BytePattern(${JSON.stringify(text)});`);
      this.imports.add("BytePattern");
    }
    return name;
  }

  private set(values: readonly string[]): string {
    const key = JSON.stringify(values);
    let name = this.sets.get(key);
    if (name === undefined) {
      name = `${this.prefix}_set${this.sets.size + 1}`;
      this.sets.set(key, name);
      this.constants.push(`const ${name} = new Set<string>(${key});`);
    }
    return name;
  }
}

/**
 * The loop's declarations of the header locals an expression used: each header is read once per event.
 * Header names that are also properties of `Object.prototype` (`constructor`, `toString`, …) are read
 * with `Object.hasOwn`, so an event without them does not seem to have them.
 */
export function declareLocals(locals: ReadonlyMap<string, string>, indent: string): string[] {
  return [...locals].map(([header, local]) => {
    const key = JSON.stringify(header);
    const read = header in Object.prototype ? `Object.hasOwn(headers, ${key}) ? headers[${key}] : undefined` : `headers[${key}]`;
    return `${indent}const ${local} = ${read};`;
  });
}

function subjectValue(subject: PlanSubject, locals: Map<string, string>): string {
  if ("body" in subject) return "event.bodyText()";
  let local = locals.get(subject.header);
  if (local === undefined) {
    local = `header_${locals.size}`;
    locals.set(subject.header, local);
  }
  return local;
}
