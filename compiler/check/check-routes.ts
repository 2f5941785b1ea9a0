import type { Condition, RouteDecl, Subject } from "../ast";
import { type DiagnosticBag, listNames, nearestNames, type SourceFile } from "../diagnostics";
import type { CheckedComponent, CheckedRoute, Edge } from "./checked-model";
import { checkCondition } from "./check-conditions";
import type { TierNames } from "./check-graph";
import { ConditionLogic, type Formula } from "./condition-logic";
import { emptyHeaders, type HeadersSet, headersOfSource } from "./headers-set";

/**
 * Checks `route` blocks: the source is a source routed once and not also wired; targets are channels;
 * no arm is unreachable; without `else` the arms must match every event; headers read are set upstream.
 */
export function checkRoutes(
  routes: readonly RouteDecl[],
  components: readonly CheckedComponent[],
  edges: readonly Edge[],
  names: TierNames,
  file: SourceFile,
  diagnostics: DiagnosticBag,
): CheckedRoute[] {
  const checked: CheckedRoute[] = [];
  const routed = new Map<string, number>();
  for (const route of routes) {
    const source = names.resolve(route.source, "source");
    if (source === undefined) continue;
    if (source.role !== "source") {
      diagnostics.report("FLOW4004", file, route.source.span, `\`${source.name.text}\` is a ${source.role}; routes choose channels for a source's events`, {
        label: "not a source",
      });
      continue;
    }
    const firstLine = routed.get(source.name.text);
    if (firstLine !== undefined) {
      diagnostics.report("FLOW4011", file, route.source.span, `source \`${source.name.text}\` is routed twice`, {
        label: "second route",
        help: `its first route is on line ${firstLine}; put every arm in one block`,
      });
      continue;
    }
    routed.set(source.name.text, file.position(route.span.start).line);
    const wired = edges.find((edge) => edge.from === source.name.text);
    if (wired !== undefined) {
      diagnostics.report("FLOW4012", file, route.source.span, `source \`${source.name.text}\` is routed and also wired to \`${wired.to}\``, {
        label: "routed here",
        help: "remove the wiring, or list its channels in the arms that should receive the events",
      });
    }
    const checkedSource = components.find((c) => c.decl === source);
    const headers = checkedSource === undefined ? emptyHeaders() : headersOfSource(checkedSource);
    const arms = route.arms.map((arm) => ({
      condition: arm.condition,
      targets: arm.targets.flatMap((target) => {
        const decl = names.resolve(target.name);
        if (decl === undefined) return [];
        if (decl.role !== "channel") {
          diagnostics.report("FLOW4004", file, target.name.span, `route arms send events to channels, and \`${decl.name.text}\` is a ${decl.role}`, {
            label: "expected a channel",
          });
          return [];
        }
        return [{ name: decl.name.text, optional: target.optional }];
      }),
    }));
    const valid = route.arms.every((arm) => arm.condition === undefined || checkCondition(arm.condition, { file, diagnostics, target: "a route condition" }));
    if (valid) {
      checkArms(route, file, diagnostics);
      checkHeadersRead(route, source.name.text, headers, file, diagnostics);
    }
    checked.push({ source: source.name.text, arms });
  }
  return checked;
}

function checkArms(route: RouteDecl, file: SourceFile, diagnostics: DiagnosticBag): void {
  const logic = new ConditionLogic();
  const earlier: Formula[] = [];
  const elseIndex = route.arms.findIndex((arm) => arm.condition === undefined);
  route.arms.forEach((arm, index) => {
    const formula = logic.formula(arm.condition);
    if (elseIndex !== -1 && index > elseIndex) {
      diagnostics.report("FLOW4013", file, arm.keyword, "this arm can never match: it comes after `else`", {
        label: "unreachable",
        help: "arms are tried in order and `else` matches every event; move `else` last",
      });
    } else if (arm.condition !== undefined && earlier.length > 0 && logic.isCoveredBy(formula, earlier) === true) {
      diagnostics.report("FLOW4013", file, arm.keyword, "this arm can never match: the arms above it already match every event it matches", {
        label: "unreachable",
        help: "arms are tried in order and the first match wins; reorder the arms or remove this one",
      });
    }
    earlier.push(formula);
  });
  if (elseIndex === -1 && logic.isExhaustive(earlier) !== true) {
    diagnostics.report("FLOW4014", file, route.source.span, `route of \`${route.source.text}\` has no \`else\`: events that match no arm would be lost`, {
      label: "add `else -> <channels>` to this route",
      help: "an `else` arm is Flume's multiplexing default channel",
    });
  }
}

function checkHeadersRead(route: RouteDecl, source: string, headers: HeadersSet, file: SourceFile, diagnostics: DiagnosticBag): void {
  if (headers.any) return;
  const reported = new Set<string>();
  for (const arm of route.arms) {
    for (const subject of subjects(arm.condition)) {
      if (subject.kind !== "header" || headers.names.has(subject.name) || reported.has(subject.name)) continue;
      reported.add(subject.name);
      const known = [...headers.names];
      // Header names are case-sensitive (Flume's syslog headers are `Severity`, `Facility`): a near miss is most likely.
      const near = nearestNames(subject.name, known);
      diagnostics.report("FLOW4015", file, subject.span, `header \`${subject.name}\` is never set on the events of \`${source}\``, {
        label: "nothing upstream sets it",
        help:
          near.length > 0
            ? `a header with a similar name is set: ${listNames(near)} (header names are case-sensitive)`
            : known.length > 0
            ? `its events carry ${known.map((h) => `\`${h}\``).join(", ")}; set \`${subject.name}\` with an interceptor, e.g. \`| static(key = "${subject.name}", value = "…")\``
            : `set it with an interceptor on \`${source}\`, e.g. \`| static(key = "${subject.name}", value = "…")\``,
      });
    }
  }
}

/** The subjects a condition reads, in order. */
export function subjects(condition: Condition | undefined): Subject[] {
  if (condition === undefined) return [];
  switch (condition.$type) {
    case "OrCondition":
    case "AndCondition":
      return condition.operands.flatMap(subjects);
    case "NotCondition":
      return subjects(condition.operand);
    case "Comparison":
      return [condition.subject];
  }
}

