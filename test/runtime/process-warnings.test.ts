import { afterEach, beforeEach, expect, it } from "vitest";
import { logProcessWarnings } from "../../runtime/agent/process-warnings";
import { createLogger } from "../../runtime/core/log";

let saved: NodeJS.WarningListener[] = [];
beforeEach(() => {
  saved = process.listeners("warning");
});
afterEach(() => {
  process.removeAllListeners("warning");
  for (const listener of saved) process.on("warning", listener);
});

it("logs process warnings as agent log lines, kafkajs's negative timeouts only at debug", async () => {
  const lines: string[] = [];
  logProcessWarnings(createLogger("info", (line) => lines.push(line)));
  process.emitWarning("-3 is a negative number.", "TimeoutNegativeWarning");
  process.emitWarning("something a user should see", { type: "ExperimentalWarning", code: "X1" });
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/level=warn msg="something a user should see" warning=ExperimentalWarning code=X1/);
});
