import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderPretty } from "../../../compiler/diagnostics";
import type { TierPlan } from "../../../compiler/ir";
import { compileSource } from "../../../compiler/pipeline";

export const FIXTURES = join(__dirname, "..", "fixtures");

/** The plans of `.flow` text that must compile without errors (warnings are fine); the errors otherwise. */
export function plansOf(text: string, path = "test.flow"): readonly TierPlan[] {
  const result = compileSource(path, text);
  if (result.plans === undefined) {
    throw new Error(`${path} has errors:\n${result.diagnostics.map((d) => renderPretty(d, { color: false })).join("\n")}`);
  }
  return result.plans;
}

export function plansOfFile(path: string): readonly TierPlan[] {
  return plansOf(readFileSync(path, "utf8"), path);
}
