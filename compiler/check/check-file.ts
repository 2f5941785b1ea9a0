import type { FlowFile } from "../ast";
import type { DiagnosticBag } from "../diagnostics";
import type { CheckedComponent, CheckedFile, CheckedTier } from "./checked-model";
import { checkComponent } from "./check-components";
import { checkGraph } from "./check-graph";

/** Checks a whole file: tiers, components and their properties, and each tier's graph. */
export function checkFile(ast: FlowFile, diagnostics: DiagnosticBag): CheckedFile {
  const file = ast.source;
  if (ast.tiers.length === 0) {
    diagnostics.report("FLOW5001", file, { start: 0, end: Math.min(1, file.text.length) }, "no tier in this file", {
      label: "nothing to build",
      help: "declare one with `tier NAME { source … channel … sink … }`",
    });
  }
  const tierLines = new Map<string, number>();
  const tiers: CheckedTier[] = [];
  for (const tier of ast.tiers) {
    const firstLine = tierLines.get(tier.name.text);
    if (firstLine !== undefined) {
      diagnostics.report("FLOW2004", file, tier.name.span, `tier \`${tier.name.text}\` is declared twice`, {
        label: "declared again here",
        help: `the first declaration is on line ${firstLine}; each tier becomes one binary named after it`,
      });
      continue;
    }
    tierLines.set(tier.name.text, file.position(tier.name.span.start).line);

    const componentLines = new Map<string, number>();
    const components: CheckedComponent[] = [];
    for (const decl of tier.components) {
      const line = componentLines.get(decl.name.text);
      if (line !== undefined) {
        diagnostics.report("FLOW2002", file, decl.name.span, `\`${decl.name.text}\` is declared twice in tier \`${tier.name.text}\``, {
          label: "declared again here",
          help: `the first declaration is on line ${line}; component names are unique within a tier`,
        });
        continue;
      }
      componentLines.set(decl.name.text, file.position(decl.name.span.start).line);
      const checked = checkComponent(decl, file, diagnostics);
      if (checked !== undefined) components.push(checked);
    }
    tiers.push({ decl: tier, components, edges: checkGraph(tier, file, diagnostics) });
  }
  return { ast, tiers };
}
