import type { ComponentSpec, PropertyValue } from "../../spec";
import { BodyTemplate } from "./body-template";

/** A body template the generator could not expand: reported by `flowc check`, not at the agent's start. */
function templateProblem(value: PropertyValue): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    new BodyTemplate(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export const generatorSourceSpec = {
  role: "source",
  kind: "generator",
  summary:
    "Makes events itself, for tests and benchmarks: a fixed or templated body, at a steady rate or as fast as the channels take them. " +
    "A full channel pauses it; it never drops or skips a number. With a `count` it is finished once its last event is in the channels, " +
    "and an agent whose sources are all finished delivers what its channels hold and exits 0 (see [agent.md](agent.md#finite-sources)).",
  implementation: "GeneratorSource",
  setsHeaders: [{ keysOf: "headers" }],
  properties: {
    body: {
      type: { kind: "string" },
      default: "event %{seq}",
      validate: templateProblem,
      doc:
        "The body of every event. Placeholders: `%{seq}` the event's number, counting from 0 (`%{seq:6}` pads it with zeros to 6 digits, 1 to 20); " +
        "`%{timestamp}` the time the batch was made, in milliseconds since the Unix epoch; `%{iso8601}` the same time as `2026-11-21T12:00:00.000Z`; " +
        "`%{host}` the host's name. `%%` is a literal `%`. Another placeholder stops the agent at start (exit 78). A body without placeholders is one buffer shared by every event.",
    },
    count: {
      type: { kind: "integer", min: 0 },
      default: 0,
      doc: "Events to make; the source is then finished. 0 makes events until the agent stops.",
    },
    rate: {
      type: { kind: "integer", min: 0 },
      default: 0,
      doc: "Most events per second; 0 makes them as fast as the channels take them. After a full channel held it back, it goes on at this rate without catching up.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most events handed to the channels in one transaction (fewer when `rate` spreads them out).",
    },
    headers: {
      type: { kind: "map", of: { kind: "string" } },
      doc: 'Headers every event carries, e.g. `headers = { service = "checkout", "X-Env" = "test" }`.',
    },
  },
} as const satisfies ComponentSpec;
