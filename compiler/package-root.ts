import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

declare const __dirname: string | undefined;

/** This module's directory: `__dirname` in the CommonJS CLI bundle and under vitest, `import.meta` under plain ESM (tsx). */
const HERE = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));

/**
 * The directory of flowc's own package.json. Found by walking up from this module, so it works from the
 * sources (tests, tsx) and from the bundled CLI in build/ alike.
 */
function findPackageRoot(): string {
  let dir = HERE;
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "flowc") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find flowc's package.json above ${HERE}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();

export const FLOWC_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The runtime library's entry, bundled into every agent. */
export const RUNTIME_ENTRY = join(PACKAGE_ROOT, "runtime", "index.ts");
