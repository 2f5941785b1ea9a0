/**
 * Every diagnostic flowc reports, with a stable code. Bands: 1xxx syntax, 2xxx names, 3xxx properties
 * and types, 4xxx graph, 5xxx tiers and build, 9xxx internal. Codes are never reused; a retired code
 * stays here marked as such. `docs/diagnostics.md` is generated from this table (`npm run docs`).
 */
export type Severity = "error" | "warning";

export interface DiagnosticInfo {
  readonly severity: Severity;
  readonly title: string;
  /** Why it matters and how to fix it, shown by the docs (and `flowc explain` later). */
  readonly explanation: string;
  /** A small `.flow` example that triggers it. */
  readonly example: string;
}

export const DIAGNOSTICS = {
  FLOW1001: {
    severity: "error",
    title: "syntax error",
    explanation: "The parser expected something else at this point. The message names what it expected; the parser recovers and keeps reading, so every independent syntax error is reported in one run.",
    example: "tier edge {\n  source s = tcp { port = }\n}",
  },
  FLOW1002: {
    severity: "error",
    title: "unrecognised character",
    explanation: "The character is not part of the `.flow` language. Comments start with `#`; strings are written in double quotes.",
    example: "tier edge { @ }",
  },
  FLOW1003: {
    severity: "error",
    title: "unterminated string",
    explanation: "A string opened with `\"` has no closing quote on the same line. Strings cannot span lines; use `\\n` for a newline inside a string.",
    example: 'tier edge {\n  sink k = files { path = "/var/log/out.log }\n}',
  },
  FLOW1004: {
    severity: "error",
    title: "unknown unit",
    explanation: "A number is followed by letters that are not a unit. Durations take `ms`, `s`, `m`, `h` or `d`; sizes take `B`, `KB`, `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024).",
    example: "tier edge {\n  channel c = memory { capacity = 10k }\n}",
  },
  FLOW1005: {
    severity: "error",
    title: "invalid escape in string",
    explanation: "Strings accept the escapes `\\\\`, `\\\"`, `\\n`, `\\r`, `\\t` and `\\u{…}` (a Unicode code point in hex).",
    example: 'tier edge {\n  sink k = files { path = "C:\\logs" }\n}',
  },
  FLOW1006: {
    severity: "error",
    title: "number too large",
    explanation: "Integers, durations and sizes must fit in a 53-bit integer (9,007,199,254,740,991).",
    example: "tier edge {\n  channel c = memory { capacity = 99999999999999999999 }\n}",
  },
  FLOW2001: {
    severity: "error",
    title: "unknown component",
    explanation: "A wiring names a component that is not declared in this tier. Components are declared with `source`, `channel` or `sink` before or after the wiring, in the same tier.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  s -> buffer\n}",
  },
  FLOW2002: {
    severity: "error",
    title: "duplicate component name",
    explanation: "Two components of one tier have the same name. Wirings refer to components by name, so names must be unique within a tier, whatever their role.",
    example: "tier edge {\n  channel c = memory {}\n  sink c = files { path = \"out.log\" }\n}",
  },
  FLOW2003: {
    severity: "error",
    title: "unknown component kind",
    explanation: "The kind after `=` is not a known kind for this role. `docs/components.md` lists every kind with its properties.",
    example: "tier edge {\n  channel c = memroy {}\n}",
  },
  FLOW2004: {
    severity: "error",
    title: "duplicate tier name",
    explanation: "Two tiers have the same name. Each tier becomes one agent binary named after it, so tier names must be unique.",
    example: "tier edge {}\ntier edge {}",
  },
  FLOW3001: {
    severity: "error",
    title: "unknown property",
    explanation: "The component kind has no property of this name. Flume ignores unknown properties silently; flowc reports them, because a misspelt property means a setting you believe is in force is not.",
    example: "tier edge {\n  channel c = memory { capacty = 100 }\n}",
  },
  FLOW3002: {
    severity: "error",
    title: "missing required property",
    explanation: "The component kind needs this property and has no default for it.",
    example: "tier edge {\n  source s = tcp {}\n}",
  },
  FLOW3003: {
    severity: "error",
    title: "wrong type",
    explanation: "The value does not have the property's type. Durations are written with a unit (`5s`), sizes with a unit (`64MiB`), strings in quotes.",
    example: 'tier edge {\n  channel c = memory { capacity = "100" }\n}',
  },
  FLOW3004: {
    severity: "error",
    title: "value out of range",
    explanation: "The value has the right type but lies outside the range the property accepts, e.g. a port above 65535 or a capacity of 0.",
    example: "tier edge {\n  source s = tcp { port = 70000 }\n}",
  },
  FLOW3005: {
    severity: "error",
    title: "duplicate property",
    explanation: "A property is set twice in one block. Flume's properties files keep the last value silently; flowc asks you to keep one.",
    example: "tier edge {\n  channel c = memory { capacity = 100, capacity = 200 }\n}",
  },
  FLOW3006: {
    severity: "error",
    title: "invalid `env()` call",
    explanation: "`env()` takes the name of an environment variable as a string literal and, optionally, a default value of the property's type: `env(\"PORT\")` or `env(\"PORT\", 5140)`. The variable is read when the agent starts, never at build time, so secrets stay out of binaries.",
    example: "tier edge {\n  source s = tcp { port = env(PORT) }\n}",
  },
  FLOW3007: {
    severity: "error",
    title: "unknown function",
    explanation: "Only `env(...)` can be called in a property value.",
    example: "tier edge {\n  source s = tcp { port = getenv(\"PORT\") }\n}",
  },
  FLOW4001: {
    severity: "error",
    title: "source feeds no channel",
    explanation: "Every source must be wired to at least one channel (`source -> channel`); otherwise the events it accepts have nowhere to go.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n}",
  },
  FLOW4002: {
    severity: "error",
    title: "channel has no sink",
    explanation: "A channel that no sink reads fills up and then refuses every put, stopping its sources. Wire it to a sink (`channel -> sink`).",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  s -> c\n}",
  },
  FLOW4003: {
    severity: "error",
    title: "sink reads no channel",
    explanation: "A sink delivers what it takes from its channel; one with no channel would never deliver anything. Wire a channel to it (`channel -> sink`).",
    example: "tier edge {\n  sink k = files { path = \"out.log\" }\n}",
  },
  FLOW4004: {
    severity: "error",
    title: "invalid wiring",
    explanation: "Events flow from a source into channels and from a channel into a sink: `source -> channel -> sink`. Other links (a source straight to a sink, a sink to anything) are not possible.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  sink k = files { path = \"out.log\" }\n  s -> k\n}",
  },
  FLOW4005: {
    severity: "error",
    title: "sink reads more than one channel",
    explanation: "As in Flume, a sink takes from exactly one channel, so that its transaction covers one queue. To deliver several channels to one destination, declare one sink per channel.",
    example: "tier edge {\n  channel a = memory {}\n  channel b = memory {}\n  sink k = files { path = \"out.log\" }\n  a -> k\n  b -> k\n}",
  },
  FLOW4006: {
    severity: "warning",
    title: "channel receives from no source",
    explanation: "No source writes to this channel, so its sink will never deliver anything. Wire a source to it or remove it.",
    example: "tier edge {\n  channel c = memory {}\n  sink k = files { path = \"out.log\" }\n  c -> k\n}",
  },
  FLOW4007: {
    severity: "warning",
    title: "duplicate wiring",
    explanation: "The same link is written twice; it is kept once.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"out.log\" }\n  s -> c -> k\n  s -> c\n}",
  },
  FLOW5001: {
    severity: "error",
    title: "no tier",
    explanation: "The file declares no `tier`, so there is nothing to check or build. Each `tier NAME { … }` block becomes one agent binary.",
    example: "# an empty file",
  },
} as const satisfies Record<string, DiagnosticInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;
