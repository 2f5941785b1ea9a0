import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SINK_RULES, SOURCE_RULES, type Rule } from "./rules";

const DOC = readFileSync(join(__dirname, "..", "..", "docs", "component-rules.md"), "utf8");
const RULES: readonly Rule[] = [...Object.values(SOURCE_RULES), ...Object.values(SINK_RULES)];

describe("docs/component-rules.md", () => {
  it.each(RULES.map((rule) => [rule.id, rule] as const))("states rule %s as the harness checks it", (_id, rule) => {
    expect(DOC).toContain(`- **${rule.id}** ${rule.text}\n`);
  });

  it("states no rule the harness does not know", () => {
    const documented = [...DOC.matchAll(/^- \*\*([A-Z]\d+)\*\*/gm)].map((match) => match[1]);
    expect(documented).toEqual(RULES.map((rule) => rule.id));
  });

  it("uses each rule identifier once", () => {
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length);
  });
});
