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
  FLOW1007: {
    severity: "error",
    title: "invalid regular expression",
    explanation: "A `/pattern/flags` literal does not compile as a JavaScript regular expression. The label says why. Flags are `i`, `m`, `s` and `u`; a `/` inside the pattern is written `\\/`.",
    example: "tier edge {\n  source s = tcp { port = 5140 } | drop(body ~ /([a-z]/)\n}",
  },
  FLOW1008: {
    severity: "error",
    title: "nested too deeply",
    explanation: "Brackets, parentheses, blocks and chains of `not` may nest at most 64 levels deep. Real topologies need a handful; deeper nesting is almost always generated or damaged input, and flowc stops reading the file there rather than exhaust its stack.",
    example: `tier edge {\n  source s = tcp { port = 5140 } | drop(${"not ".repeat(70)}body exists)\n}`,
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
  FLOW2005: {
    severity: "error",
    title: "unknown condition subject",
    explanation: "Route and `drop()` conditions read a header, written `header.NAME` (or `header[\"NAME\"]` when the name has characters such as `-`), or the event body, written `body`.",
    example: "tier edge {\n  source s = tcp { port = 5140 } | drop(headers.level == \"DEBUG\")\n}",
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
    title: "value out of range or not valid",
    explanation: "The value has the right type but is not one the property accepts: outside its range (a port above 65535, a capacity of 0), or refused by the component's own check (an empty delimiter, a template with an unknown placeholder, an unknown time zone).",
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
  FLOW3008: {
    severity: "error",
    title: "value must be known at build time",
    explanation: "`env()` is read when the agent starts, but this value shapes the code flowc generates (a route condition, a test, the members of a group), so it must be written in the file.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel a = memory {}\n  sink k = files { path = \"a.log\" }\n  route s {\n    when header.level == env(\"LEVEL\") -> a\n    else -> a\n  }\n  a -> k\n}",
  },
  FLOW3009: {
    severity: "warning",
    title: "secret written in the file",
    explanation: "The property holds a credential (a password, token or key). Written as a literal it is committed with the `.flow` file and embedded in the built binary, where `strings` finds it. Read it when the agent starts with `env(\"NAME\")` (from a systemd `EnvironmentFile=` or your secret store); the agent's `--describe` and logs never print secrets. In a block of HTTP headers, the entries named like credentials (`Authorization`, `X-Api-Key`, `Cookie`, …) are the ones checked.",
    example: "tier edge {\n  source s = http { port = 8080, bearer_token = \"hunter2\" }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  s -> c -> k\n}",
  },
  FLOW3011: {
    severity: "error",
    title: "property set without a setting it needs",
    explanation: "The property only means something together with another setting, which is missing: user passwords need a shared key (the Fluent Forward handshake carries both), certificate files need `tls = true`, a password needs a user name. Without this check the agent would refuse to start, or silently ignore the value.",
    example: "tier edge {\n  source s = listen { port = 24224, tls_cert = \"c.pem\", tls_key = \"k.pem\" }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  s -> c -> k\n}",
  },
  FLOW3012: {
    severity: "error",
    title: "alternative properties: none or several given",
    explanation: "Some components take one of several ways to say the same thing, such as a Kafka source's list of `topics` or its `topics_pattern`. Exactly one must be given: with none the component has nothing to do, with several it could only guess which one you meant.",
    example: "tier t {\n  source s = kafka { brokers = [\"127.0.0.1:9092\"], group_id = \"g\" }\n  channel c = memory {}\n  sink k = null {}\n  s -> c -> k\n}",
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
  FLOW4008: {
    severity: "error",
    title: "group member wired directly",
    explanation: "A sink that belongs to a group receives its events through the group: wire the channel to the group (`channel -> group`), not to the member.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink a = files { path = \"a.log\" }\n  sink b = files { path = \"b.log\" }\n  group g = failover { sinks = [a, b] }\n  s -> c -> g\n  c -> a\n}",
  },
  FLOW4009: {
    severity: "error",
    title: "sink in more than one group",
    explanation: "As in Flume, a sink belongs to at most one group: each group runs its members from one sink runner, and two runners must not drive the same sink.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  channel d = memory {}\n  sink a = files { path = \"a.log\" }\n  sink b = files { path = \"b.log\" }\n  group g = failover { sinks = [a, b] }\n  group h = failover { sinks = [b, a] }\n  s -> c -> g\n  s -> d -> h\n}",
  },
  FLOW4010: {
    severity: "error",
    title: "`optional` outside a source's channels",
    explanation: "`optional` marks a channel a source puts into on a best-effort basis: when it is full, the put still succeeds for the source. It applies only to the channels after a source (`src -> main, optional spill`) or in a route arm.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  s -> c -> optional k\n}",
  },
  FLOW4011: {
    severity: "error",
    title: "source routed twice",
    explanation: "A source has at most one `route` block; put every arm in it. Arms are tried in order and the first matching one wins.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  route s { else -> c }\n  route s { else -> c }\n  c -> k\n}",
  },
  FLOW4012: {
    severity: "error",
    title: "source both routed and wired",
    explanation: "A source either sends every event to its channels (`src -> a, b`) or routes each event by its `route` arms; not both. To send some events everywhere, list those channels in every arm.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  s -> c\n  route s { else -> c }\n  c -> k\n}",
  },
  FLOW4013: {
    severity: "warning",
    title: "unreachable route arm",
    explanation: "Arms are tried in order and the first match wins. This arm can never match: it comes after `else`, or every event it matches is already taken by arms above it.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel a = memory {}\n  channel b = memory {}\n  sink ka = files { path = \"a.log\" }\n  sink kb = files { path = \"b.log\" }\n  route s {\n    else -> a\n    when header.level == \"ERROR\" -> b\n  }\n  a -> ka\n  b -> kb\n}",
  },
  FLOW4014: {
    severity: "error",
    title: "route without `else`",
    explanation: "An event that matches no arm would be lost. Add an `else` arm (Flume's multiplexing `default`), unless the arms together match every event, which flowc recognises when they cover every case of the same conditions (e.g. `when x exists` and `when not x exists`).",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel a = memory {}\n  sink k = files { path = \"a.log\" }\n  route s {\n    when header.level == \"ERROR\" -> a\n  }\n  a -> k\n}",
  },
  FLOW4015: {
    severity: "warning",
    title: "header that nothing sets",
    explanation: "The condition reads a header that neither the source nor any interceptor before it sets, so it is always absent and the condition never (or always) matches. Set it with an interceptor (e.g. `| static(key = \"level\", value = \"INFO\")`) or check the name.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel a = memory {}\n  sink k = files { path = \"a.log\" }\n  route s {\n    when header.level == \"ERROR\" -> a\n    else -> a\n  }\n  a -> k\n}",
  },
  FLOW4016: {
    severity: "error",
    title: "batch larger than the channel's transaction capacity",
    explanation: "A source puts, and a sink takes, at most `batch_size` events per transaction, and a channel accepts at most `transaction_capacity` events per transaction. Flume refuses to start such a component; flowc reports it before anything is deployed. Lower `batch_size` or raise the channel's `transaction_capacity`.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory { transaction_capacity = 100 }\n  sink k = files { path = \"a.log\", batch_size = 500 }\n  s -> c -> k\n}",
  },
  FLOW4017: {
    severity: "error",
    title: "two sources on one port",
    explanation: "Two sources of one tier listen on the same port, so the second cannot start. Give each its own port.",
    example: "tier edge {\n  source a = tcp { port = 5140 }\n  source b = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  a -> c -> k\n  b -> c\n}",
  },
  FLOW4018: {
    severity: "error",
    title: "interceptors on a component that is not a source",
    explanation: "Interceptors run in a source's channel processor, on each batch before it enters a channel. Write the chain after a source declaration.",
    example: "tier edge {\n  channel c = memory {} | timestamp()\n}",
  },
  FLOW4019: {
    severity: "error",
    title: "invalid group members",
    explanation: "A group lists its sinks with `sinks = [a, b]`: names of sinks declared in the same tier, each once, at least as many as the group kind needs (a load-balancing group needs two).",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  group g = failover {}\n  s -> c -> g\n}",
  },
  FLOW4020: {
    severity: "error",
    title: "invalid test step",
    explanation: "A test sends events with `send SOURCE { headers = { … }, body = \"…\" }` and checks each with the `expect` steps after it: `expect CHANNELS`, `expect dropped`, or `expect headers { … }`. An `expect` needs a `send` before it; `send` takes only `headers` (a block of strings) and `body` (a string).",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  s -> c -> k\n  test \"nothing sent\" {\n    expect c\n  }\n}",
  },
  FLOW4021: {
    severity: "error",
    title: "too many components of a kind in one tier",
    explanation: "Some kinds can appear only so often in a tier: an agent has one standard input, so a tier has at most one `stdin` source.",
    example: "tier edge {\n  source a = stdin {}\n  source b = stdin {}\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  a -> c -> k\n  b -> c\n}",
  },
  FLOW4022: {
    severity: "warning",
    title: "component reads a header that nothing sets",
    explanation: "A property of a sink (or of a channel) reads a header of each event: a `%{name}` escape in a template such as a `files` sink's `path` or a `kafka` sink's `topic`, or a property naming a header such as `key_header`. No event reaching the component can carry it: neither the sources wired or routed to its channel nor their interceptors set it, or the route arms that feed the channel only take events without it. Every event then gets what the property's description says happens without the header (an empty string in a `files` sink's path, a `kafka` sink's `default_topic`, no record key), which is rarely what was meant. Set the header with an interceptor (e.g. `| static(key = \"service\", value = \"web\")`) or check the name: header names are case-sensitive. Sources whose senders choose the headers (`http`, `listen`) satisfy every read; values from `env()` are not checked.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink k = files { path = \"logs/%{service}.log\" }\n  s -> c -> k\n}",
  },
  FLOW5001: {
    severity: "error",
    title: "no tier",
    explanation: "The file declares no `tier`, so there is nothing to check or build. Each `tier NAME { … }` block becomes one agent binary.",
    example: "# an empty file",
  },
  FLOW5002: {
    severity: "error",
    title: "import cycle",
    explanation: "Files import each other in a cycle. Move what they share into a file that both import.",
    example: "import \"test.flow\"\ntier edge {}",
  },
  FLOW5003: {
    severity: "error",
    title: "imported file not found",
    explanation: "An `import` names a file that cannot be read. Paths are relative to the importing file.",
    example: "import \"missing.flow\"\ntier edge {}",
  },
  FLOW5004: {
    severity: "error",
    title: "link to an unknown tier or source",
    explanation: "A link between tiers (a `forward` sink's `to = tier.source`) must name a source of another tier in the same build: the file, or a file it imports. flowc checks both ends of every link, so an edge agent is never built to send to a collector that does not exist.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink up = forward { to = colector.inbound }\n  s -> c -> up\n}\ntier collector {\n  source inbound = listen { port = 24224 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  inbound -> c -> k\n}",
  },
  FLOW5005: {
    severity: "error",
    title: "link to a source of the wrong kind",
    explanation: "A link names a source that cannot receive from it: a `forward` sink sends the Fluent Forward protocol, which only a `listen` source speaks.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink up = forward { to = collector.lines }\n  s -> c -> up\n}\ntier collector {\n  source lines = tcp { port = 5141 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  lines -> c -> k\n}",
  },
  FLOW5006: {
    severity: "error",
    title: "the two ends of a link disagree",
    explanation: "Settings that both ends of a link must share differ: the port, TLS, the shared key, user authentication, or gzip compression the receiver refuses. Left unset on the sending side, the port is taken from the receiving source, so it is written once. Values read with `env()` are checked by the agents when they connect, not at build time.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink up = forward { to = collector.inbound, tls = true }\n  s -> c -> up\n}\ntier collector {\n  source inbound = listen { port = 24224 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  inbound -> c -> k\n}",
  },
  FLOW5007: {
    severity: "error",
    title: "tiers forward in a cycle",
    explanation: "Following the links from a tier leads back to it, so every event would circulate between the agents for ever. Tiers form a pipeline: edge agents send to collectors, collectors to the next tier or to storage.",
    example: "tier a {\n  source inbound = listen { port = 24224 }\n  channel c = memory {}\n  sink up = forward { to = b.inbound }\n  inbound -> c -> up\n}\ntier b {\n  source inbound = listen { port = 24225 }\n  channel c = memory {}\n  sink up = forward { to = a.inbound }\n  inbound -> c -> up\n}",
  },
  FLOW5008: {
    severity: "warning",
    title: "receiving source reached by nobody",
    explanation: "In a build whose tiers link to each other, a source that receives from other agents (`listen`) is the target of no link. A link may be missing or name another source. When only other tools (Fluent Bit, Fluentd, Docker's fluentd log driver) send to it, the warning can be ignored.",
    example: "tier edge {\n  source s = tcp { port = 5140 }\n  channel c = memory {}\n  sink up = forward { to = collector.inbound }\n  s -> c -> up\n}\ntier collector {\n  source inbound = listen { port = 24224 }\n  source spare = listen { port = 24225 }\n  channel c = memory {}\n  sink k = files { path = \"a.log\" }\n  inbound -> c -> k\n  spare -> c\n}",
  },
} as const satisfies Record<string, DiagnosticInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;
