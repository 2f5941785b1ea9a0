/**
 * Hand-written seeds for the parse/check fuzz test. Between them they use every construct of the
 * language: imports, shared definitions, tiers, groups, interceptor chains with `drop()`, fan-out with
 * `optional`, routes with nested `and`/`or`/`not` conditions, and tests. `CLEAN_SEED` checks clean with
 * only the first components (tcp, memory, files), so its mutants reach lowering; the others use
 * interceptor and group kinds that may or may not be registered yet.
 */

/** What `readFile` returns for `common.flow`: shared definitions that the seeds import. */
export const IMPORTED_FILE = `# common.flow: presets shared by several tiers
source syslog_in = tcp { bind = "0.0.0.0", batch_size = 100 } | drop(body ~ /^#/)
channel small = memory { capacity = 1_000, transaction_capacity = 100, byte_capacity = 16MiB }
sink archive = files { path = "archive/events.log", sync = false }
`;

/** A second importable file, which imports the root back (the root is compiled as `fuzz.flow`). */
export const LOOP_FILE = `import "fuzz.flow"\nchannel looped = memory {}\n`;

/**
 * Definitions with problems of their own, for components that use them: a channel definition with an
 * interceptor chain, unknown and mistyped properties. The long comment puts the definitions past the end
 * of `PRESETS_SEED`, so a diagnostic about them reported against the wrong file falls outside it.
 */
export const PRESETS_FILE = `# presets.flow: definitions that other files use as kinds.
#${" Components that use a definition inherit its properties and its interceptor chain.".repeat(8)}
channel chained = memory { capacity = 100 } | timestamp() | drop(body exists)
channel misspelt = memory { capacty = 5, transaction_capacity = "10" }
sink nopath = files { batch_size = 10 }
source listener = tcp { bind = "127.0.0.1" } | static(key = "level", value = "INFO")
group pair = failover { sinks = [a, b], max_penalty = 5s }
`;

/** Uses every definition of `PRESETS_FILE`; short, so that its offsets are all smaller than theirs. */
export const PRESETS_SEED = `import "presets.flow"
tier p {
  source s = listener { port = 1 }
  channel c = chained {}
  channel m = misspelt {}
  sink k = nopath { path = "k.log" }
  sink a = files { path = "a.log" }
  sink b = nopath {}
  group g = pair {}
  s -> c -> k
  s -> m -> g
}
`;

/** The path the fuzz test compiles every input as, so `import "fuzz.flow"` closes a cycle. */
export const ROOT_PATH = "fuzz.flow";

/** The files `readFile` knows, by the path the compiler asks for (relative to the root's directory). */
export const IMPORTABLE: ReadonlyMap<string, string> = new Map([
  ["common.flow", IMPORTED_FILE],
  ["loop.flow", LOOP_FILE],
  ["presets.flow", PRESETS_FILE],
]);

export const CLEAN_SEED = `import "common.flow"

# A shared definition in the file itself.
channel roomy = memory { capacity = 50_000, transaction_capacity = 1_000 }

tier edge {
  source web = syslog_in { port = env("WEB_PORT", 5140) }
    | drop(header.level == "DEBUG" or (body ~ /healthcheck/i and not header.path exists))
    | drop(header["x-debug"] in ["1", "yes", "true",] and header.env != "prod")
  source api = tcp { port = 5141, max_line_length = 64KiB, batch_size = 100 }
  channel main = roomy {}
  channel spill = small { capacity = 500 }
  channel errors = memory {}
  sink out = archive {}
  sink spill_out = files { path = "spill.log", batch_size = 50 }
  sink error_out = files { path = env("ERROR_LOG", "errors.log"), sync = true }

  web -> main, optional spill
  main -> out
  spill -> spill_out
  errors -> error_out

  route api {
    when header.level in ["ERROR", "FATAL"] or body ~ /exception/ -> errors, optional spill
    when not (header.level exists) and body !~ /^\\s*$/ -> main
    when header["x-tenant"] not in ["a", "b"] -> main, spill
    else -> main
  }

  test "debug lines are dropped" {
    send web { headers = { level = "DEBUG" }, body = "verbose" }
    expect dropped
  }

  test "errors go to the error channel" {
    send api { headers = { level = "ERROR" }, body = "boom\\t\\u{1F4A5}" }
    expect errors, spill
    send api { body = "ok" }
    expect main
  }
}

tier collector {
  source inbound = tcp { bind = "127.0.0.1", port = 6000, batch_size = 500 }
  channel durable = memory { capacity = 100_000, transaction_capacity = 500 }
  sink store = files { path = "store/events.log", batch_size = 500, sync = true }
  inbound -> durable -> store
}
`;

export const RICH_SEED = `import "common.flow"

source tagged = tcp { port = 7000 } | static(key = "origin", value = "edge") | host(header = "hostname", use_ip = false)
group pair = failover { max_penalty = 10s }

tier edge {
  source web = tagged {}
    | timestamp()
    | uuid(header = "id", prefix = "web-")
    | regex_extractor(regex = /(?<status>\\d{3}) (?<bytes>\\d+)$/)
    | regex_filter(regex = "^GET ", exclude_events = true)
    | search_replace(search_pattern = /password=\\S+/, replace_string = "password=***")
    | remove_header(with_name = "cookie", from_list = ["a", "b"], match_regex = /x-debug-.*/i)
    | drop(not (header.status == "200" or header.status == "304") and header.bytes exists)
  channel hot = memory { capacity = 10_000 }
  channel cold = memory { byte_capacity = 1GiB }
  sink primary = files { path = "primary.log" }
  sink spare = files { path = "spare.log" }
  sink a = files { path = "a.log" }
  sink b = files { path = "b.log" }
  group out = pair { sinks = [primary, spare] }
  group spread = load_balance { sinks = [a, b], selector = random, backoff = true, max_backoff = 1m }

  hot -> out
  cold -> spread

  route web {
    when (header.status in ["500", "503"] and not body ~ /retry/) or header.hostname == "db1" -> hot, optional cold
    when header.status exists -> cold
    else -> hot
  }

  test "server errors are hot" {
    send web { headers = { status = "500", hostname = "web1" }, body = "GET / 500 12" }
    expect hot, cold
    expect headers { origin = "edge" }
  }
}
`;

/**
 * Check-phase errors and odd corners: empty tiers, comments everywhere, trailing commas, wrong types,
 * misplaced `optional`, tests with bad steps. It parses clean, so its mutants reach the checker.
 */
export const CORNER_SEED = `tier empty {}
tier t { # comment after brace
  source s = tcp { port = 0, } # port 0 picks a free port
  channel c = memory { capacity = 1 transaction_capacity = 1 }
  sink k = files { path = "\\u{41}\\\\b\\"c\\n", batch_size = 1 }
  s -> c -> k
  s -> c
  route s { when header.x == "1" -> c }
  test "t" { expect c send s { headers = {}, body = "" } expect headers { x = "1" } expect nothing { } }
  test "" {}
}
tier mismatch {
  source s = tcp { port = 70000, bind = 5 } | host() | drop(header.level == 5)
  source s2 = tcp { port = 70000 }
  channel c = memory { capacity = "100", capacty = 5, capacity = 0 } | timestamp()
  sink k = files {}
  group g = failover { sinks = [k, k, c] }
  s -> k
  c -> nowhere -> optional k
  route c { else -> k }
  route s2 { when body == env("X") -> c }
  test "x" { send c { headers = { a = 1 }, body = 2, extra = true } expect k }
}
tier graph {
  source a = tcp { port = 5140 }
  source b = tcp { port = 5140 } | static(key = "level", value = "INFO")
  source r = tcp { port = 5141 }
  channel c = memory { transaction_capacity = 10 }
  channel d = memory {}
  sink x = files { path = "x.log" }
  sink y = files { path = "y.log", batch_size = 20 }
  sink z = files { path = "z.log" }
  group g = failover { sinks = [x, y] }
  group h = load_balance { sinks = [y, x], selector = "fastest" }
  a -> c -> g
  b -> d -> h
  c -> optional x
  c -> z
  d -> z
  route r {
    when header.level == "ERROR" or header.level != "ERROR" -> c
    when header.level == "ERROR" -> d
    else -> c
    when body exists -> d
  }
  route r { else -> d }
}
tier graph {}
`;

/** Imports that cannot be followed: a missing file, a cycle through another file, a cycle to itself. */
export const IMPORTS_SEED = `import "missing.flow"
import "loop.flow"
import "fuzz.flow"
import "./common.flow"
import "common.flow"
import "bad\\q.flow"
tier t {
  source s = syslog_in { port = 1 }
  channel c = small {}
  sink k = archive {}
  s -> c -> k
}
`;

export const SEEDS: readonly { readonly name: string; readonly text: string }[] = [
  { name: "clean", text: CLEAN_SEED },
  { name: "rich", text: RICH_SEED },
  { name: "corner", text: CORNER_SEED },
  { name: "imports", text: IMPORTS_SEED },
  { name: "presets", text: PRESETS_SEED },
  { name: "imported", text: IMPORTED_FILE },
];
