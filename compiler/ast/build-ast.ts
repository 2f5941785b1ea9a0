import type { CstNode } from "chevrotain";
import type { ParseOutput } from "../../grammar";
import type { DiagnosticBag, SourceFile } from "../diagnostics";
import { buildCondition } from "./build-conditions";
import { ValueBuilder } from "./build-values";
import { name, nodes, nodeSpan, token, tokenSpan } from "./cst-access";
import type { ComponentDecl, DeclaredRole, ExpectStep, FlowFile, ImportDecl, InterceptorCall, RouteArm, RouteDecl, Target, TestDecl, TestStep, TierDecl, Wiring } from "./nodes";

/**
 * Turns the CST into the typed AST, decoding literals (escapes, `_` in numbers, units, regexes).
 * Problems found here (a bad escape, an unknown unit, an invalid regex, an unknown condition subject)
 * go into `diagnostics`; nodes that error recovery left incomplete are dropped, because the parser
 * already reported them.
 */
export function buildAst(source: SourceFile, parsed: ParseOutput, diagnostics: DiagnosticBag): FlowFile {
  return new AstBuilder(new ValueBuilder(source, diagnostics)).file(parsed.cst);
}

const ROLE_BY_KEYWORD: Readonly<Record<string, DeclaredRole>> = { Source: "source", Channel: "channel", Sink: "sink", Group: "group" };

class AstBuilder {
  constructor(private readonly values: ValueBuilder) {}

  file(cst: CstNode): FlowFile {
    return {
      $type: "FlowFile",
      source: this.values.source,
      imports: nodes(cst, "importDecl").flatMap((node) => this.importDecl(node) ?? []),
      definitions: nodes(cst, "componentDecl").flatMap((node) => this.component(node) ?? []),
      tiers: nodes(cst, "tierDecl").flatMap((node) => this.tier(node) ?? []),
    };
  }

  private importDecl(node: CstNode): ImportDecl | undefined {
    const path = token(node, "StringLiteral");
    const span = nodeSpan(node);
    if (path === undefined || span === undefined) return undefined;
    const value = this.values.string(path, tokenSpan(path));
    return value.$type === "StringValue" ? { $type: "ImportDecl", path: value, span } : undefined;
  }

  private tier(node: CstNode): TierDecl | undefined {
    const nameToken = token(node, "Identifier");
    const span = nodeSpan(node);
    if (nameToken === undefined || span === undefined) return undefined;
    const items = nodes(node, "tierItem");
    const each = <T>(key: string, build: (item: CstNode) => T | undefined): T[] =>
      items.flatMap((item) => nodes(item, key).flatMap((child) => build(child) ?? []));
    return {
      $type: "TierDecl",
      name: name(nameToken),
      components: each("componentDecl", (child) => this.component(child)),
      wirings: each("wiring", (child) => this.wiring(child)),
      routes: each("routeDecl", (child) => this.route(child)),
      tests: each("testDecl", (child) => this.test(child)),
      span,
    };
  }

  private component(node: CstNode): ComponentDecl | undefined {
    const keyword = Object.keys(ROLE_BY_KEYWORD).find((key) => token(node, key) !== undefined);
    const nameToken = token(node, "name");
    const kindToken = token(node, "kind");
    const span = nodeSpan(node);
    if (keyword === undefined || nameToken === undefined || kindToken === undefined || span === undefined) return undefined;
    const block = nodes(node, "block")[0];
    return {
      $type: "ComponentDecl",
      role: ROLE_BY_KEYWORD[keyword] as DeclaredRole,
      name: name(nameToken),
      kind: name(kindToken),
      properties: block === undefined ? [] : this.values.properties(block),
      interceptors: nodes(node, "interceptor").flatMap((call) => this.interceptor(call) ?? []),
      span,
    };
  }

  private interceptor(node: CstNode): InterceptorCall | undefined {
    const span = nodeSpan(node);
    if (span === undefined) return undefined;
    const condition = nodes(node, "condition")[0];
    if (token(node, "Drop") !== undefined) {
      const built = condition === undefined ? undefined : buildCondition(condition, this.values);
      return built === undefined ? undefined : { $type: "DropInterceptor", condition: built, span };
    }
    const kind = token(node, "Identifier");
    if (kind === undefined) return undefined;
    return { $type: "KindInterceptor", kind: name(kind), properties: this.values.properties(node), span };
  }

  private wiring(node: CstNode): Wiring | undefined {
    const span = nodeSpan(node);
    const head = token(node, "Identifier");
    if (span === undefined || head === undefined) return undefined;
    const first: Target = { $type: "Target", name: name(head), optional: false, span: tokenSpan(head) };
    const steps = [[first], ...nodes(node, "targets").map((targets) => this.targets(targets))].filter((step) => step.length > 0);
    return steps.length < 2 ? undefined : { $type: "Wiring", steps, span };
  }

  private targets(node: CstNode): Target[] {
    return nodes(node, "target").flatMap((target) => {
      const nameToken = token(target, "Identifier");
      const span = nodeSpan(target);
      if (nameToken === undefined || span === undefined) return [];
      return [{ $type: "Target" as const, name: name(nameToken), optional: token(target, "Optional") !== undefined, span }];
    });
  }

  private route(node: CstNode): RouteDecl | undefined {
    const source = token(node, "Identifier");
    const span = nodeSpan(node);
    if (source === undefined || span === undefined) return undefined;
    return { $type: "RouteDecl", source: name(source), arms: nodes(node, "routeArm").flatMap((arm) => this.arm(arm) ?? []), span };
  }

  private arm(node: CstNode): RouteArm | undefined {
    const span = nodeSpan(node);
    const keyword = token(node, "When") ?? token(node, "Else");
    const targetsNode = nodes(node, "targets")[0];
    if (span === undefined || keyword === undefined || targetsNode === undefined) return undefined;
    const conditionNode = nodes(node, "condition")[0];
    const condition = conditionNode === undefined ? undefined : buildCondition(conditionNode, this.values);
    // A `when` whose condition could not be built was reported; dropping the arm avoids a false "no else".
    if (keyword.tokenType.name === "When" && condition === undefined) return undefined;
    return { $type: "RouteArm", condition, keyword: tokenSpan(keyword), targets: this.targets(targetsNode), span };
  }

  private test(node: CstNode): TestDecl | undefined {
    const title = token(node, "StringLiteral");
    const span = nodeSpan(node);
    if (title === undefined || span === undefined) return undefined;
    const titleValue = this.values.string(title, tokenSpan(title));
    if (titleValue.$type !== "StringValue") return undefined;
    const steps: TestStep[] = [];
    // Keep the written order of send and expect steps: each expect checks the send before it.
    const ordered = [...nodes(node, "sendStep"), ...nodes(node, "expectStep")].sort(
      (a, b) => (nodeSpan(a)?.start ?? 0) - (nodeSpan(b)?.start ?? 0),
    );
    for (const step of ordered) {
      const built = step.name === "sendStep" ? this.send(step) : this.expect(step);
      if (built !== undefined) steps.push(built);
    }
    return { $type: "TestDecl", name: titleValue, steps, span };
  }

  private send(node: CstNode): TestStep | undefined {
    const source = token(node, "Identifier");
    const block = nodes(node, "block")[0];
    const span = nodeSpan(node);
    if (source === undefined || block === undefined || span === undefined) return undefined;
    return { $type: "SendStep", source: name(source), properties: this.values.properties(block), span };
  }

  private expect(node: CstNode): ExpectStep | undefined {
    const span = nodeSpan(node);
    if (span === undefined) return undefined;
    if (token(node, "Dropped") !== undefined) return { $type: "ExpectStep", expectation: "dropped", span };
    const what = token(node, "what");
    const block = nodes(node, "block")[0];
    if (what !== undefined && block !== undefined) {
      return { $type: "ExpectStep", expectation: "block", what: name(what), properties: this.values.properties(block), span };
    }
    const targets = nodes(node, "targets")[0];
    if (targets === undefined) return undefined;
    return { $type: "ExpectStep", expectation: "channels", targets: this.targets(targets), span };
  }
}

