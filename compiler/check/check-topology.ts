import { findSpec } from "../../runtime/registry";
import type { ComponentSpec } from "../../runtime/spec";
import type { FlowFile, TierDecl } from "../ast";
import type { DiagnosticBag, SourceFile } from "../diagnostics";
import type { CheckedComponent, CheckedTier, CheckedTopology } from "./checked-model";
import { checkComponent, checkDefinition, type Definitions } from "./check-components";
import { checkCompleteness, checkGroupMembers, checkWirings, TierNames } from "./check-graph";
import { checkHeadersRead } from "./check-headers-read";
import { checkLimits } from "./check-limits";
import { checkLinks } from "./check-links";
import { checkRoutes } from "./check-routes";
import { checkTests } from "./check-tests";

/**
 * Checks a whole topology: the file given and every file it imports, with their shared definitions and
 * tiers. Within each tier: components and their properties, wiring, groups, routes, limits and tests.
 */
export function checkTopology(files: readonly FlowFile[], diagnostics: DiagnosticBag): CheckedTopology {
  const root = files[0];
  if (root !== undefined && files.every((file) => file.tiers.length === 0)) {
    diagnostics.report("FLOW5001", root.source, { start: 0, end: Math.min(1, root.source.text.length) }, "no tier in this file", {
      label: "nothing to build",
      help: "declare one with `tier NAME { source … channel … sink … }`",
    });
  }

  const definitions = new Map<string, Definitions extends ReadonlyMap<string, infer V> ? V : never>();
  for (const file of files) {
    for (const decl of file.definitions) {
      const existing = definitions.get(decl.name.text);
      if (existing !== undefined || findSpec(decl.role, decl.name.text) !== undefined) {
        diagnostics.report("FLOW2002", file.source, decl.name.span, existing !== undefined ? `definition \`${decl.name.text}\` is declared twice` : `definition \`${decl.name.text}\` has the name of a built-in ${decl.role} kind`, {
          label: existing !== undefined ? "declared again here" : "shadows a built-in kind",
          help: existing !== undefined ? `the first one is in ${existing.file.path} on line ${existing.file.position(existing.decl.name.span.start).line}` : "give the definition a name of its own",
        });
        continue;
      }
      definitions.set(decl.name.text, { decl, file: file.source });
      checkDefinition(decl, file.source, diagnostics);
    }
  }

  const allTiers = files.flatMap((file) => file.tiers);
  const tierFiles = new Map<TierDecl, FlowFile>();
  for (const file of files) for (const tier of file.tiers) tierFiles.set(tier, file);
  const firstTier = new Map<string, TierDecl>();
  const tiers: CheckedTier[] = [];
  for (const tier of allTiers) {
    const file = tierFiles.get(tier) as FlowFile;
    const first = firstTier.get(tier.name.text);
    if (first !== undefined) {
      const firstFile = (tierFiles.get(first) as FlowFile).source;
      const where = `${firstFile === file.source ? "" : `in ${firstFile.path} `}on line ${firstFile.position(first.name.span.start).line}`;
      diagnostics.report("FLOW2004", file.source, tier.name.span, `tier \`${tier.name.text}\` is declared twice`, {
        label: "declared again here",
        help: `the first declaration is ${where}; each tier becomes one binary named after it`,
      });
      continue;
    }
    firstTier.set(tier.name.text, tier);
    tiers.push(checkTier(tier, file, allTiers, definitions, diagnostics));
  }
  const linked = checkLinks(tiers, diagnostics);
  return { files, tiers: linked.tiers, links: linked.links };
}

function checkTier(tier: TierDecl, flowFile: FlowFile, allTiers: readonly TierDecl[], definitions: Definitions, diagnostics: DiagnosticBag): CheckedTier {
  const file = flowFile.source;
  const lines = new Map<string, number>();
  const components: CheckedComponent[] = [];
  const duplicated = new Set<string>();
  for (const decl of tier.components) {
    const line = lines.get(decl.name.text);
    if (line !== undefined) {
      duplicated.add(decl.name.text);
      diagnostics.report("FLOW2002", file, decl.name.span, `\`${decl.name.text}\` is declared twice in tier \`${tier.name.text}\``, {
        label: "declared again here",
        help: `the first declaration is on line ${line}; component names are unique within a tier`,
      });
      continue;
    }
    lines.set(decl.name.text, file.position(decl.name.span.start).line);
    const checked = checkComponent(decl, definitions, file, diagnostics);
    if (checked !== undefined) components.push(checked);
  }
  checkKindLimits(tier, components, file, diagnostics);
  const names = new TierNames(tier, allTiers, file, diagnostics);
  const { edges, onBrokenLink } = checkWirings(tier, names, file, diagnostics);
  const members = checkGroupMembers(components, edges, names, file, diagnostics);
  const routes = checkRoutes(tier.routes, components, edges, names, file, diagnostics);
  checkTests(tier.tests, names, file, diagnostics);
  const routedSources = new Set(routes.map((route) => route.source));
  const routeTargets = new Set(routes.flatMap((route) => route.arms.flatMap((arm) => arm.targets.map((target) => target.name))));
  // Names on reported links, near misspelt names, or declared twice: completeness errors would repeat those.
  const exempt = new Set([...onBrokenLink, ...names.suspect, ...duplicated]);
  checkCompleteness(tier, edges, routedSources, routeTargets, members, exempt, file, diagnostics);
  checkLimits(components, edges, routes, file, diagnostics);
  checkHeadersRead(components, edges, routes, tier.routes, file, diagnostics);
  return { decl: tier, file: flowFile, components, edges, routes, tests: tier.tests };
}

/** Reports FLOW4021 for each component past its kind's `maxPerTier` (a second `stdin` source). */
function checkKindLimits(tier: TierDecl, components: readonly CheckedComponent[], file: SourceFile, diagnostics: DiagnosticBag): void {
  const counts = new Map<ComponentSpec, CheckedComponent[]>();
  for (const component of components) {
    const limit = component.spec.maxPerTier;
    if (limit === undefined) continue;
    const same = counts.get(component.spec) ?? [];
    same.push(component);
    counts.set(component.spec, same);
    if (same.length <= limit) continue;
    const first = same[0] as CheckedComponent;
    diagnostics.report("FLOW4021", file, component.decl.kind.span, `tier \`${tier.name.text}\` has more than ${limit} \`${component.spec.kind}\` ${component.spec.role}${limit === 1 ? "" : "s"}`, {
      label: `another \`${component.spec.kind}\` ${component.spec.role}`,
      help: `\`${first.decl.name.text}\` on line ${file.position(first.decl.name.span.start).line} is ${limit === 1 ? "the one" : "one of those"} a tier can have`,
    });
  }
}
