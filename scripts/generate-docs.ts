// Regenerates the docs that are derived from code: `npm run docs`. Tests fail when they are stale.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderComponentsDoc } from "./docs/components-doc";
import { renderDiagnosticsDoc } from "./docs/diagnostics-doc";
import { withMetricsTable } from "./docs/metrics-doc";

const docs = join(dirname(fileURLToPath(import.meta.url)), "..", "docs");
writeFileSync(join(docs, "diagnostics.md"), renderDiagnosticsDoc());
writeFileSync(join(docs, "components.md"), renderComponentsDoc());
const agentDoc = join(docs, "agent.md");
writeFileSync(agentDoc, withMetricsTable(readFileSync(agentDoc, "utf8")));
process.stdout.write("wrote docs/diagnostics.md, docs/components.md and the metrics table in docs/agent.md\n");
