// Regenerates the docs that are derived from code: `npm run docs`. Tests fail when they are stale.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderComponentsDoc } from "./docs/components-doc";
import { renderDiagnosticsDoc } from "./docs/diagnostics-doc";

const docs = join(dirname(fileURLToPath(import.meta.url)), "..", "docs");
writeFileSync(join(docs, "diagnostics.md"), renderDiagnosticsDoc());
writeFileSync(join(docs, "components.md"), renderComponentsDoc());
process.stdout.write("wrote docs/diagnostics.md and docs/components.md\n");
