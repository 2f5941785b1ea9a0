#!/usr/bin/env node
// The `flowc` command: runs the CLI bundled by `npm run build` (which `npm ci` runs through `prepare`).
try {
  require("../build/flowc.cjs");
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes("flowc.cjs")) {
    process.stderr.write("error: flowc is not built yet; run `npm ci` (or `npm run build`) in the flowc directory\n");
    process.exit(3);
  }
  throw error;
}
