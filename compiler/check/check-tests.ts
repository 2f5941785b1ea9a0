import type { Property, TestDecl, Value } from "../ast";
import { describeValue } from "../ast";
import type { DiagnosticBag, SourceFile } from "../diagnostics";
import type { TierNames } from "./check-graph";

/**
 * Checks `test` blocks: `send` names a source and gives only `headers` (strings) and `body` (a string);
 * each `expect` follows a `send` and names channels of the tier, `dropped`, or `headers { … }`.
 */
export function checkTests(tests: readonly TestDecl[], names: TierNames, file: SourceFile, diagnostics: DiagnosticBag): void {
  for (const test of tests) {
    let sent = false;
    for (const step of test.steps) {
      if (step.$type === "SendStep") {
        sent = true;
        const source = names.resolve(step.source, "source");
        if (source !== undefined && source.role !== "source") {
          diagnostics.report("FLOW4020", file, step.source.span, `tests send events to sources, and \`${source.name.text}\` is a ${source.role}`, { label: "not a source" });
        }
        for (const property of step.properties) checkSendProperty(property, file, diagnostics);
        continue;
      }
      if (!sent) {
        diagnostics.report("FLOW4020", file, step.span, "`expect` before any `send`", {
          label: "nothing was sent yet",
          help: "each `expect` checks the events of the `send` before it",
        });
      }
      if (step.expectation === "channels") {
        for (const target of step.targets) {
          const decl = names.resolve(target.name);
          if (decl !== undefined && decl.role !== "channel") {
            diagnostics.report("FLOW4020", file, target.name.span, `\`expect\` names the channels an event reaches, and \`${decl.name.text}\` is a ${decl.role}`, { label: "not a channel" });
          }
        }
      } else if (step.expectation === "block") {
        if (step.what.text !== "headers") {
          diagnostics.report("FLOW4020", file, step.what.span, `\`expect ${step.what.text} { … }\` is not a known expectation`, {
            label: "unknown",
            help: "write `expect CHANNELS`, `expect dropped` or `expect headers { name = \"value\" }`",
          });
        } else for (const property of step.properties) checkString(property.value, `header \`${property.name.text}\``, file, diagnostics);
      }
    }
  }
}

function checkSendProperty(property: Property, file: SourceFile, diagnostics: DiagnosticBag): void {
  const key = property.name.text;
  if (key === "body") {
    checkString(property.value, "`body`", file, diagnostics);
    return;
  }
  if (key === "headers" && property.value.$type === "BlockValue") {
    for (const header of property.value.properties) checkString(header.value, `header \`${header.name.text}\``, file, diagnostics);
    return;
  }
  diagnostics.report("FLOW4020", file, key === "headers" ? property.value.span : property.name.span, key === "headers" ? "`headers` of a test event is a block of strings" : `\`send\` takes \`headers\` and \`body\`, not \`${key}\``, {
    label: key === "headers" ? "expected `{ name = \"value\" }`" : "unknown",
  });
}

function checkString(value: Value, what: string, file: SourceFile, diagnostics: DiagnosticBag): void {
  if (value.$type === "StringValue" || value.$type === "InvalidValue") return;
  if (value.$type === "CallValue" && value.callee.text === "env") {
    diagnostics.report("FLOW3008", file, value.span, `${what} of a test must be known at build time`, {
      label: "`env()` is read when the agent starts",
      help: "tests run at build time: write the value in the file",
    });
    return;
  }
  diagnostics.report("FLOW4020", file, value.span, `${what} of a test event must be a string, found ${describeValue(value)}`, { label: "expected a string" });
}
