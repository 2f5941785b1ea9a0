import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

declare const __dirname: string;

/**
 * The directory of flowc's own package.json. Found by walking up from this module, so it works from the
 * sources (tests, tsx) and from the bundled CLI in build/ alike.
 */
function findPackageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "flowc") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find flowc's package.json above ${__dirname}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();

export const FLOWC_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The runtime library's entry, bundled into every agent. */
export const RUNTIME_ENTRY = join(PACKAGE_ROOT, "runtime", "index.ts");
