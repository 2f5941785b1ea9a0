import { describe, expect, it } from "vitest";
import { formatFlow, LINE_WIDTH } from "../../compiler/fmt";

/** Formats `input` and checks it against `expected`, which must itself be a fixed point. */
function expectFormat(input: string, expected: string): void {
  expect(formatFlow(input)).toBe(expected);
  expect(formatFlow(expected)).toBe(expected);
}

/** Wraps tier items in `tier t { … }`, indented by two. */
function tier(...items: string[]): string {
  return `tier t {\n${items.map((item) => item.replace(/^(?=.)/gm, "  ")).join("\n")}\n}\n`;
}

describe("files and tiers", () => {
  it("puts one blank line between top-level items, and keeps consecutive imports together", () => {
    expectFormat(
      'import "a.flow"\nimport "b.flow"\nsource base = tcp { port = 1 }\ntier a {}\ntier b {}',
      'import "a.flow"\nimport "b.flow"\n\nsource base = tcp { port = 1 }\n\ntier a {}\n\ntier b {}\n',
    );
  });

  it("keeps one blank line where the user left several, and none at the start or end of a block", () => {
    expectFormat(
      "\n\n\ntier t {\n\n\n  a -> b\n\n\n\n  c -> d\n  e -> f\n\n\n}\n\n\n",
      tier("a -> b", "", "c -> d", "e -> f"),
    );
  });

  it("writes an empty tier as `{}` and ends the file with one newline", () => {
    expectFormat("tier   t   {\n\n}", "tier t {}\n");
    expectFormat("", "");
    expectFormat("\n\n  \n", "");
  });

  it("puts every tier item on its own line", () => {
    expectFormat("tier t { channel c = memory {} channel d = memory {} c -> d }", tier("channel c = memory {}", "channel d = memory {}", "c -> d"));
  });
});

describe("declarations and property blocks", () => {
  it("spaces `=` and puts a short block on one line, even if the user spread it over several", () => {
    expectFormat("tier t {\n  source s=tcp{\n    port=5140\n    bind=\"0.0.0.0\"\n  }\n}", tier('source s = tcp { port = 5140, bind = "0.0.0.0" }'));
  });

  it("drops trailing commas and keeps `{}` and a missing block as written", () => {
    expectFormat("tier t { channel c = memory { capacity = 1, } channel d = memory {} channel e = memory }", tier("channel c = memory { capacity = 1 }", "channel d = memory {}", "channel e = memory"));
  });

  it("puts one property per line, without commas, when the block does not fit", () => {
    const path = "x".repeat(60);
    expectFormat(
      `tier t { sink k = files { path = "/var/log/${path}.log", sync = true } }`,
      tier("sink k = files {", `  path = "/var/log/${path}.log"`, "  sync = true", "}"),
    );
  });

  it("counts the indentation and breaks at the line width, not before", () => {
    // `  sink k = files { path = "…" }` is 28 characters plus the string.
    const fits = "a".repeat(LINE_WIDTH - 28 - 2);
    expectFormat(`tier t { sink k = files { path = "${fits}" } }`, tier(`sink k = files { path = "${fits}" }`));
    const tooLong = `${fits}a`;
    expectFormat(`tier t { sink k = files { path = "${tooLong}" } }`, tier("sink k = files {", `  path = "${tooLong}"`, "}"));
  });

  it("keeps the user's blank lines between the properties of a broken block", () => {
    expectFormat(
      "tier t {\n  sink k = files {\n    path = \"o.log\" # where\n\n\n    sync = true\n  }\n}",
      tier("sink k = files {", '  path = "o.log" # where', "", "  sync = true", "}"),
    );
  });

  it("lays out nested blocks on their own", () => {
    const long = "/etc/flowc/tls/a-rather-long-certificate-file-name.pem";
    expectFormat(
      `tier t { source s = listen { port = 24224, tls = { cert = "${long}", key = env("TLS_KEY") } } }`,
      tier("source s = listen {", "  port = 24224", `  tls = { cert = "${long}", key = env("TLS_KEY") }`, "}"),
    );
  });

  it("breaks a long list one item per line, with a comma after each", () => {
    const a = `"/var/log/${"a".repeat(40)}.log"`;
    const b = `"/var/log/${"b".repeat(40)}.log"`;
    expectFormat(`tier t { source s = taildir { files = [${a}, ${b}] } }`, tier("source s = taildir {", "  files = [", `    ${a},`, `    ${b},`, "  ]", "}"));
  });

  it("writes shared definitions like tier declarations", () => {
    expectFormat("channel   buf=memory{capacity=10}", "channel buf = memory { capacity = 10 }\n");
  });
});

describe("interceptor chains", () => {
  it("keeps a short chain on the declaration's line", () => {
    expectFormat('tier t { source s = tcp { port = 1 }|host( header="host" )|timestamp() }', tier('source s = tcp { port = 1 } | host(header = "host") | timestamp()'));
  });

  it("puts each interceptor on its own line when the declaration does not fit", () => {
    expectFormat(
      'tier t { source s = tcp { port = 5140 } | host(header = "host") | timestamp(header = "received_at") | drop(body ~ /healthcheck/) }',
      tier("source s = tcp { port = 5140 }", '  | host(header = "host")', '  | timestamp(header = "received_at")', "  | drop(body ~ /healthcheck/)"),
    );
  });

  it("starts the chain after the `}` of a broken block, so every `|` lines up", () => {
    const path = `"/var/log/nginx/${"a".repeat(50)}.log*"`;
    expectFormat(
      `tier t { source s = taildir { files = [${path}], position = "p.json" } | host(header = "host") | timestamp() }`,
      tier("source s = taildir {", `  files = [${path}]`, '  position = "p.json"', '} | host(header = "host")', "  | timestamp()"),
    );
  });

  it("breaks a long interceptor's arguments and a long drop condition under its name", () => {
    const value = "v".repeat(70);
    expectFormat(
      `tier t { source s = tcp { port = 1 } | host(header = "${value}", other = 1) | drop(header.aaaaaaaaaaaaaaaa == "${value}" or body ~ /b/) }`,
      tier(
        "source s = tcp { port = 1 }",
        "  | host(",
        `      header = "${value}"`,
        "      other = 1",
        "    )",
        "  | drop(",
        `      header.aaaaaaaaaaaaaaaa == "${value}"`,
        "        or body ~ /b/",
        "    )",
      ),
    );
  });
});

describe("wirings", () => {
  it("spaces `->` and commas and keeps `optional`", () => {
    expectFormat("tier t { s->a,optional   b->k }", tier("s -> a, optional b -> k"));
  });

  it("puts each `->` on its own line when the wiring does not fit", () => {
    const [a, b, c] = ["source", "channel", "sink"].map((role) => `${role}_${"n".repeat(30)}`);
    expectFormat(`tier t { ${a} -> ${b} -> ${c} }`, tier(a as string, `  -> ${b}`, `  -> ${c}`));
  });
});

describe("routes", () => {
  it("puts one arm per line and spaces every operator", () => {
    expectFormat(
      'tier t { route s { when header.level=="ERROR"->a when header["x-id"]exists->a when body!~/x/i->b when header.l not in["A","B",]->b when header.h!="x"->b when not(body~/y/)->b else->b } }',
      tier(
        "route s {",
        '  when header.level == "ERROR" -> a',
        '  when header["x-id"] exists -> a',
        "  when body !~ /x/i -> b",
        '  when header.l not in ["A", "B"] -> b',
        '  when header.h != "x" -> b',
        "  when not (body ~ /y/) -> b",
        "  else -> b",
        "}",
      ),
    );
  });

  it("keeps the parentheses the user wrote, and adds none", () => {
    expectFormat(
      "tier t { route s { when ((body ~ /a/)) or body ~ /b/ and body ~ /c/ -> a else -> b } }",
      tier("route s {", "  when ((body ~ /a/)) or body ~ /b/ and body ~ /c/ -> a", "  else -> b", "}"),
    );
  });

  it("breaks a long condition before `or`, then before `and` deeper, and puts `->` on its own line", () => {
    const x = "x".repeat(40);
    expectFormat(
      `tier t { route s { when header.a == "${x}" and header.b == "${x}" or body ~ /${x}/ and header.c exists -> hot, archive else -> b } }`,
      tier(
        "route s {",
        `  when header.a == "${x}"`,
        `      and header.b == "${x}"`,
        `    or body ~ /${x}/ and header.c exists`,
        "    -> hot, archive",
        "  else -> b",
        "}",
      ),
    );
  });

  it("writes an empty route as `{}`", () => {
    expectFormat("tier t { route s {\n} }", tier("route s {}"));
  });
});

describe("tests", () => {
  it("puts one step per line", () => {
    expectFormat(
      'tier t { test "x"{send s{headers={level="ERROR"},body="b"}expect a,b expect headers{host="h"} send s{body="c"} expect dropped} }',
      tier('test "x" {', '  send s { headers = { level = "ERROR" }, body = "b" }', "  expect a, b", '  expect headers { host = "h" }', '  send s { body = "c" }', "  expect dropped", "}"),
    );
  });
});

describe("literals", () => {
  it("keeps numbers, durations, sizes, regexes, booleans and references as written", () => {
    expectFormat(
      "tier t { channel c = x { a = 10_000, b = 1000000, c = 1_0_0, d = 250ms, e = 64MiB, f = /a\\/b[x]/i, g = true, h = false, i = collector.inbound } }",
      tier("channel c = x {", "  a = 10_000", "  b = 1000000", "  c = 1_0_0", "  d = 250ms", "  e = 64MiB", "  f = /a\\/b[x]/i", "  g = true", "  h = false", "  i = collector.inbound", "}"),
    );
  });

  it("writes strings with canonical escapes", () => {
    expectFormat(
      'import "a\\u{2E}flow"\ntier t { sink k = files { path = "\\u{41}\\tb\\u{9}\\u{a}\\u{22}\\u{5C}\\u{1F600}\\u{200b}\\u{A0}" } }',
      `import "a.flow"\n\n${tier('sink k = files { path = "A\\tb\\t\\n\\"\\\\😀\\u{200B}\\u{A0}" }')}`,
    );
  });

  it("writes `env()` like a list", () => {
    expectFormat('tier t { source s = tcp { port = env( "PORT" , 5140 , ) } }', tier('source s = tcp { port = env("PORT", 5140) }'));
  });
});
