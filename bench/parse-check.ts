// `npm run bench:compile`: front-end throughput (parse → AST → check → plans), as `name: value unit` lines.
//   big_*:   one generated file of ~50,000 lines (hundreds of tiers with interceptor chains, fan-out,
//            groups, routes and tests): lines/s of compileSource, and the time of each phase.
//   small_*: 1,000 generated files of 20–50 lines, compiled one after the other: files/s and total time.
// The files use only the component kinds and properties of runtime/registry.ts as it is when the bench
// runs (a kind whose generated use does not check clean is left out and named on stderr), and the bench
// stops if the big file has an error.
//
// By default the compiler is measured as the CLI ships it: bundled by esbuild (as scripts/build-cli.ts
// does). `--from source` measures the TypeScript sources as tsx loads them; tsx compiles with esbuild's
// `keepNames`, which wraps every closure the chevrotain grammar creates per call and makes parsing several
// times slower, so that figure is about tsx rather than flowc.
// Options: --lines N (default 50000), --files N (1000), --runs N (7), --from bundle|source, --seed N,
// --save FILE (write the big file there, e.g. to profile `flowc check` on it).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import type { ComponentSpec, PropertyType } from "../runtime/spec";
import { createPrng, type Prng } from "../test/helpers/prng";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: options } = parseArgs({
  options: {
    lines: { type: "string", default: "50000" },
    files: { type: "string", default: "1000" },
    runs: { type: "string", default: "7" },
    from: { type: "string", default: "bundle" },
    seed: { type: "string", default: "42" },
    save: { type: "string" },
  },
});
const LINES = Number(options.lines);
const FILES = Number(options.files);
const RUNS = Number(options.runs);
const SEED = Number(options.seed);
const report = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);
const note = (text: string): void => void process.stderr.write(`${text}\n`);

// ---------------------------------------------------------------------------------------------------------
// The front end, bundled or from source.

interface FrontEnd {
  readonly compileSource: typeof import("../compiler/pipeline").compileSource;
  readonly parseFlow: typeof import("../grammar").parseFlow;
  readonly flowLexer: typeof import("../grammar/tokens").flowLexer;
  readonly KEYWORDS: typeof import("../grammar/tokens").KEYWORDS;
  readonly buildAst: typeof import("../compiler/ast").buildAst;
  readonly checkTopology: typeof import("../compiler/check").checkTopology;
  readonly lowerToPlans: typeof import("../compiler/ir").lowerToPlans;
  readonly DiagnosticBag: typeof import("../compiler/diagnostics").DiagnosticBag;
  readonly SourceFile: typeof import("../compiler/diagnostics").SourceFile;
  readonly renderPretty: typeof import("../compiler/diagnostics").renderPretty;
  readonly COMPONENT_SPECS: typeof import("../runtime/registry").COMPONENT_SPECS;
  readonly FLOWC_VERSION: string;
}

/** What the bench uses, by module (paths from the package root). */
const FRONT_END_EXPORTS: readonly (readonly [string, readonly string[]])[] = [
  ["./compiler/pipeline", ["compileSource"]],
  ["./grammar/parser", ["parseFlow"]],
  ["./grammar/tokens", ["flowLexer", "KEYWORDS"]],
  ["./compiler/ast/index", ["buildAst"]],
  ["./compiler/check/index", ["checkTopology"]],
  ["./compiler/ir/index", ["lowerToPlans"]],
  ["./compiler/diagnostics/index", ["DiagnosticBag", "SourceFile", "renderPretty"]],
  ["./runtime/registry", ["COMPONENT_SPECS"]],
  ["./compiler/package-root", ["FLOWC_VERSION"]],
];

async function loadFrontEnd(from: string): Promise<{ frontEnd: FrontEnd; cleanup: () => void }> {
  if (from === "source") {
    const frontEnd: Record<string, unknown> = {};
    for (const [path, names] of FRONT_END_EXPORTS) {
      const module = (await import(join(root, `${path}.ts`))) as Record<string, unknown>;
      for (const name of names) frontEnd[name] = module[name];
    }
    return { frontEnd: frontEnd as unknown as FrontEnd, cleanup: () => {} };
  }
  if (from !== "bundle") throw new Error(`--from takes bundle or source, not ${from}`);
  const dir = mkdtempSync(join(tmpdir(), "flowc-bench-compile-"));
  const outfile = join(dir, "front-end.cjs");
  await build({
    stdin: { contents: FRONT_END_EXPORTS.map(([path, names]) => `export { ${names.join(", ")} } from ${JSON.stringify(path)};`).join("\n"), resolveDir: root, loader: "ts" },
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // The bundle lives in a temporary folder: package-root.ts must still find flowc's package.json.
    define: { __dirname: JSON.stringify(join(root, "compiler")) },
    logLevel: "warning",
    // package-root.ts falls back to `import.meta.url` when `__dirname` is not a string; it always is here.
    logOverride: { "empty-import-meta": "silent" },
  });
  return { frontEnd: createRequire(import.meta.url)(outfile) as FrontEnd, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------------------
// Generated topologies.

interface Kinds {
  readonly source: readonly ComponentSpec[];
  readonly channel: readonly ComponentSpec[];
  readonly sink: readonly ComponentSpec[];
  readonly interceptor: readonly ComponentSpec[];
  readonly group: readonly ComponentSpec[];
  /** The language's keywords: a header named like one cannot be written `header.NAME` or as a property. */
  readonly keywords: ReadonlySet<string>;
}

const HEADER_NAMES = ["level", "env", "service", "region", "team", "origin", "kind", "stage"];
const HEADER_VALUES: Readonly<Record<string, readonly string[]>> = {
  level: ["ERROR", "WARN", "INFO", "DEBUG", "FATAL"],
  env: ["prod", "staging", "dev"],
  service: ["billing", "search", "checkout", "auth"],
};
const BODY_PATTERNS = ["/timeout/i", "/^GET \\/health/", "/exception|panic/", "/status=5\\d\\d/", "/\\buser=\\w+/", "/slow query/i"];
const REGEXES = ["/password=\\S+/", "/^DEBUG /", "/x-debug-.*/i", "/token=[A-Za-z0-9]+/", "/\\s+$/"];
/** A regex with named groups, for properties whose groups name headers (`regex_extractor`). */
const NAMED_GROUPS = { pattern: "/(?<status>\\d{3}) (?<bytes>\\d+)$/", groups: ["status", "bytes"] };

/** Subjects not yet read by a route's (or a `drop()`'s) comparisons. */
interface Subjects {
  readonly headers: string[];
  readonly bodies: string[];
  fresh: number;
}

/** The shared definitions a tier may use as kinds, by role, and the headers the shared source's chain sets. */
interface Shared {
  readonly names: ReadonlyMap<string, string>;
  readonly headers: readonly string[];
}

const NO_SHARED: Shared = { names: new Map(), headers: [] };

/** A kind's required properties: a shared definition leaves them to the components that use it. */
function requiredOf(spec: ComponentSpec): string[] {
  return Object.entries(spec.properties).filter(([, property]) => property.required === true).map(([key]) => key);
}

/** Builds `.flow` text for one topology, tracking what the checker needs (unique ports, headers that are set). */
class TopologyWriter {
  private readonly out: string[] = [];
  private port = 10_000;

  constructor(
    private readonly prng: Prng,
    private readonly kinds: Kinds,
  ) {}

  line(text = ""): void {
    this.out.push(text);
  }

  text(): string {
    return `${this.out.join("\n")}\n`;
  }

  get lineCount(): number {
    return this.out.length;
  }

  resetPorts(): void {
    this.port = 10_000;
  }

  /** A `.flow` literal for a property, or undefined to leave it unset. */
  value(key: string, type: PropertyType, spec: ComponentSpec, context: string): string | undefined {
    const prng = this.prng;
    if (key === "port" && type.kind === "integer") return String(this.port++);
    if (key === "batch_size") return prng.pick(["100", "200", "500", "1_000"]);
    if (key === "transaction_capacity") return prng.pick(["1_000", "2_000", "5_000"]);
    if (key === "capacity") return prng.pick(["10_000", "20_000", "50_000"]);
    const namesHeader = (spec.setsHeaders ?? []).some((origin) => "nameFrom" in origin && origin.nameFrom === key);
    const groupsHeaders = (spec.setsHeaders ?? []).some((origin) => "groupsOf" in origin && origin.groupsOf === key);
    switch (type.kind) {
      case "string":
        if (namesHeader) return JSON.stringify(prng.pick(HEADER_NAMES));
        if (key === "path") return JSON.stringify(`/var/log/flow/${context}.log`);
        if (key === "dir" || key.endsWith("_dir")) return JSON.stringify(`/var/lib/flow/${context}/${key}`);
        if (key === "bind") return JSON.stringify(prng.pick(["0.0.0.0", "127.0.0.1"]));
        return JSON.stringify(`${key}-${prng.int(1, 99)}`);
      case "integer": {
        const min = type.min ?? 0;
        const max = type.max ?? min + 10_000;
        return String(Math.min(max, min + prng.int(1, 1_000)));
      }
      case "boolean":
        return prng.chance(0.5) ? "true" : "false";
      case "duration":
        return `${Math.max(Math.ceil((type.min ?? 0) / 1_000), prng.int(1, 90))}s`;
      case "size":
        return `${Math.max(Math.ceil((type.min ?? 0) / 1_048_576), prng.int(1, 64))}MiB`;
      case "enum":
        return JSON.stringify(prng.pick(type.values));
      case "regex":
        return groupsHeaders ? NAMED_GROUPS.pattern : prng.pick(REGEXES);
      case "list": {
        const items = [0, 1].map(() => this.value(`${key}_item`, type.of, spec, context)).filter((item) => item !== undefined);
        return `[${items.join(", ")}]`;
      }
    }
  }

  /**
   * The properties to write: every one without a default (so kinds that need one of several optional
   * properties are satisfied), and some with a default. `skip` leaves properties to the user of a definition.
   */
  properties(spec: ComponentSpec, context: string, skip: readonly string[] = []): string[] {
    const written: string[] = [];
    for (const [key, property] of Object.entries(spec.properties)) {
      if (skip.includes(key)) continue;
      const wanted = property.required === true || property.default === undefined || key === "port" || this.prng.chance(0.3);
      if (!wanted) continue;
      const literal = this.value(key, property.type, spec, context);
      if (literal !== undefined) written.push(`${key} = ${literal}`);
    }
    return written;
  }

  /**
   * The headers an interceptor with these written properties sets, as the checker computes them; only
   * those with plain names, which conditions can read as `header.NAME` and tests can set as `NAME = "…"`.
   */
  headersSet(spec: ComponentSpec, written: readonly string[]): string[] {
    const valueOf = (key: string): string | undefined => {
      const found = written.find((p) => p.startsWith(`${key} = `));
      return found === undefined ? undefined : found.slice(key.length + 3);
    };
    const names: string[] = [];
    for (const origin of spec.setsHeaders ?? []) {
      if ("name" in origin) names.push(origin.name);
      else if ("nameFrom" in origin) {
        const literal = valueOf(origin.nameFrom);
        const fallback = spec.properties[origin.nameFrom]?.default;
        if (literal?.startsWith('"')) names.push(JSON.parse(literal) as string);
        else if (typeof fallback === "string") names.push(fallback);
      } else if ("groupsOf" in origin) {
        if (valueOf(origin.groupsOf) === NAMED_GROUPS.pattern) names.push(...NAMED_GROUPS.groups);
      }
    }
    return names.filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !this.kinds.keywords.has(name));
  }

  /** `kind { a = 1, b = 2 }` on one line, or a block over several lines when it has many properties. */
  declaration(head: string, properties: readonly string[], indent: string): void {
    if (properties.length <= 2) {
      this.line(properties.length === 0 ? `${indent}${head} {}` : `${indent}${head} { ${properties.join(", ")} }`);
      return;
    }
    this.line(`${indent}${head} {`);
    for (const property of properties) this.line(`${indent}  ${property}`);
    this.line(`${indent}}`);
  }

  /** An interceptor chain, one link per line; returns the headers the chain sets. */
  chain(indent: string, links: number, drop: boolean): string[] {
    const headers: string[] = [];
    for (let i = 0; i < links && this.kinds.interceptor.length > 0; i++) {
      const spec = this.prng.pick(this.kinds.interceptor);
      const written = this.properties(spec, "interceptor");
      headers.push(...this.headersSet(spec, written));
      this.line(`${indent}  | ${spec.kind}(${written.join(", ")})`);
    }
    if (drop) this.line(`${indent}  | drop(${this.condition(this.subjects(headers), 2)})`);
    return headers;
  }

  /** Subjects for the comparisons of one route (or one `drop()`): each is read once, so no arm covers another. */
  subjects(headers: readonly string[]): Subjects {
    return { headers: this.shuffle([...new Set(headers)]), bodies: this.shuffle([...BODY_PATTERNS]), fresh: 0 };
  }

  /** A random condition of `size` comparisons, with `and`, `or`, `not` and parentheses. */
  condition(subjects: Subjects, size: number): string {
    const atom = (): string => {
      const header = subjects.headers.pop();
      if (header === undefined) return `body ~ ${subjects.bodies.pop() ?? `/marker-${subjects.fresh++}/`}`;
      const values = HEADER_VALUES[header] ?? ["a", "b", "c"];
      switch (this.prng.int(0, 5)) {
        case 0:
          return `header.${header} == ${JSON.stringify(this.prng.pick(values))}`;
        case 1:
          return `header.${header} != ${JSON.stringify(this.prng.pick(values))}`;
        case 2:
          return `header.${header} in [${values.slice(0, 2).map((v) => JSON.stringify(v)).join(", ")}]`;
        case 3:
          return `header.${header} not in [${values.slice(1, 3).map((v) => JSON.stringify(v)).join(", ")}]`;
        case 4:
          return `header["${header}"] ~ /^${this.prng.pick(values)}/`;
        default:
          return `header.${header} exists`;
      }
    };
    const build = (n: number): string => {
      if (n <= 1) return this.prng.chance(0.2) ? `not ${atom()}` : atom();
      const left = this.prng.int(1, n - 1);
      const op = this.prng.chance(0.5) ? "and" : "or";
      const wrap = (text: string): string => (text.includes(" or ") || text.includes(" and ") ? `(${text})` : text);
      return `${wrap(build(left))} ${op} ${wrap(build(n - left))}`;
    };
    return build(size);
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.prng.int(0, i);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** Shared definitions: one per role, used as kinds by some components of the tiers. */
  definitions(): Shared {
    const defined = new Map<string, string>();
    let headers: string[] = [];
    this.line("# Shared presets: tiers use them as kinds and override their properties.");
    for (const role of ["source", "channel", "sink"] as const) {
      const spec = this.kinds[role][0];
      if (spec === undefined) continue;
      const name = `shared_${role}`;
      this.declaration(`${role} ${name} = ${spec.kind}`, this.properties(spec, name, requiredOf(spec)), "");
      if (role === "source") headers = this.chain("", 1, false);
      defined.set(role, name);
    }
    this.line();
    return { names: defined, headers };
  }

  /** One tier; `scale` 1 gives 40 to 100 lines, smaller values fewer components. */
  tier(name: string, scale: number, { names: shared, headers: sharedHeaders }: Shared): void {
    const prng = this.prng;
    const count = (min: number, max: number): number => Math.max(1, Math.round(prng.int(min, max) * scale));
    const indent = "  ";
    this.resetPorts();
    const channelCount = Math.max(2, count(3, 5));
    const sourceCount = Math.max(2, count(2, 5));
    const groupCount = this.kinds.group.length === 0 ? 0 : Math.min(channelCount - 1, count(1, 2));
    this.line(`# Tier ${name}: ${sourceCount} sources, ${channelCount} channels, ${groupCount} sink group${groupCount === 1 ? "" : "s"}.`);
    this.line(`tier ${name} {`);

    // Sources, each with a chain; the first is routed, the others wired.
    const sources: { name: string; headers: string[] }[] = [];
    for (let i = 0; i < sourceCount; i++) {
      const sourceName = `${prng.pick(["web", "api", "syslog", "app", "audit", "edge"])}_${i}`;
      const viaShared = shared.has("source") && prng.chance(0.3);
      const spec = viaShared ? (this.kinds.source[0] as ComponentSpec) : prng.pick(this.kinds.source);
      const written = this.properties(spec, `${name}/${sourceName}`);
      const properties = viaShared ? written.filter((p) => requiredOf(spec).some((key) => p.startsWith(`${key} = `))) : written;
      this.declaration(`source ${sourceName} = ${viaShared ? shared.get("source") : spec.kind}`, properties, indent);
      const headers = [...(viaShared ? sharedHeaders : []), ...this.chain(indent, prng.int(1, 3), prng.chance(0.6))];
      sources.push({ name: sourceName, headers });
    }
    this.line();

    // Channels.
    const channels: string[] = [];
    for (let i = 0; i < channelCount; i++) {
      const channelName = ["main", "spill", "errors", "audit", "metrics", "bulk", "slow"][i] ?? `extra_${i}`;
      const viaShared = shared.has("channel") && prng.chance(0.3);
      const spec = viaShared ? (this.kinds.channel[0] as ComponentSpec) : prng.pick(this.kinds.channel);
      const written = this.properties(spec, `${name}/${channelName}`);
      const properties = viaShared ? written.filter((p) => requiredOf(spec).some((key) => p.startsWith(`${key} = `))) : written;
      this.declaration(`channel ${channelName} = ${viaShared ? shared.get("channel") : spec.kind}`, properties, indent);
      channels.push(channelName);
    }
    this.line();

    // One consumer per channel: a sink, or a group of sinks.
    const consumers: string[] = [];
    for (let i = 0; i < channelCount; i++) {
      const isGroup = i >= channelCount - groupCount;
      if (!isGroup) {
        const sinkName = `${channels[i]}_out`;
        const spec = prng.pick(this.kinds.sink);
        const viaShared = shared.has("sink") && spec === this.kinds.sink[0] && prng.chance(0.3);
        this.declaration(`sink ${sinkName} = ${viaShared ? shared.get("sink") : spec.kind}`, this.properties(spec, `${name}/${sinkName}`), indent);
        consumers.push(sinkName);
        continue;
      }
      const group = prng.pick(this.kinds.group);
      const members: string[] = [];
      for (let m = 0; m < Math.max(2, group.members?.min ?? 1); m++) {
        const sinkName = `${channels[i]}_${["primary", "spare", "third"][m] ?? `member_${m}`}`;
        const spec = prng.pick(this.kinds.sink);
        this.declaration(`sink ${sinkName} = ${spec.kind}`, this.properties(spec, `${name}/${sinkName}`), indent);
        members.push(sinkName);
      }
      const groupName = `${channels[i]}_group`;
      this.declaration(`group ${groupName} = ${group.kind}`, [`sinks = [${members.join(", ")}]`, ...this.properties(group, `${name}/${groupName}`)], indent);
      consumers.push(groupName);
    }
    this.line();

    // Wiring: the wired sources fan out to `main` and an optional second channel; every channel gets a source.
    const fed = new Set<string>();
    const routed = sources[0] as { name: string; headers: string[] };
    const arms = this.routeArms(routed.headers, channels);
    for (const arm of arms) for (const target of arm.targets) fed.add(target.replace("optional ", ""));
    const wired = sources.slice(1).map((source) => {
      const extra = prng.pick(channels.slice(1));
      const targets = [channels[0] as string, ...(prng.chance(0.5) ? [`optional ${extra}`] : [extra])];
      for (const target of targets) fed.add(target.replace("optional ", ""));
      return { source: source.name, targets };
    });
    for (const channel of channels) if (!fed.has(channel)) wired[wired.length - 1]?.targets.push(channel);
    for (const wiring of wired) this.line(`${indent}${wiring.source} -> ${wiring.targets.join(", ")}`);
    channels.forEach((channel, i) => this.line(`${indent}${channel} -> ${consumers[i]}`));
    this.line();

    this.line(`${indent}route ${routed.name} {`);
    for (const arm of arms) this.line(`${indent}  ${arm.condition === undefined ? "else" : `when ${arm.condition}`} -> ${arm.targets.join(", ")}`);
    this.line(`${indent}}`);

    // Tests: an event that the first arm takes, and one for a wired source.
    const first = arms[0] as { condition?: string; sample: { headers: string; body: string }; targets: string[] };
    this.line();
    this.line(`${indent}test "${routed.name}: first arm of the route" {`);
    this.line(`${indent}  send ${routed.name} { headers = { ${first.sample.headers} }, body = ${JSON.stringify(first.sample.body)} }`);
    this.line(`${indent}  expect ${first.targets.map((t) => t.replace("optional ", "")).join(", ")}`);
    this.line(`${indent}}`);
    if (scale >= 1) {
      const source = wired[0];
      if (source !== undefined) {
        this.line(`${indent}test "${source.source}: fan-out" {`);
        this.line(`${indent}  send ${source.source} { body = "GET /index.html 200" }`);
        this.line(`${indent}  expect ${source.targets.map((t) => t.replace("optional ", "")).join(", ")}`);
        this.line(`${indent}  send ${source.source} { headers = { level = "DEBUG" }, body = "GET /health 200" }`);
        this.line(`${indent}  expect dropped`);
        this.line(`${indent}}`);
      }
    }
    this.line("}");
    this.line();
  }

  private routeArms(headers: readonly string[], channels: readonly string[]): { condition?: string; targets: string[]; sample: { headers: string; body: string } }[] {
    const prng = this.prng;
    const level = headers.includes("level") ? "level" : headers[0];
    // The first arm is simple, so a test can send an event it takes.
    const firstCondition = level === undefined ? "body ~ /error/i" : `header.${level} in ["ERROR", "FATAL"]`;
    const subjects = this.subjects(headers.filter((h) => h !== level));
    const arms: { condition?: string; targets: string[]; sample: { headers: string; body: string } }[] = [
      {
        condition: firstCondition,
        targets: [channels[2 % channels.length] as string, `optional ${channels[1] as string}`],
        sample: { headers: level === undefined ? "" : `${level} = "ERROR"`, body: "error: request failed" },
      },
    ];
    const others = prng.int(1, 3);
    for (let i = 0; i < others; i++) {
      arms.push({ condition: this.condition(subjects, prng.int(1, 3)), targets: [prng.pick(channels)], sample: { headers: "", body: "" } });
    }
    arms.push({ targets: [channels[0] as string], sample: { headers: "", body: "" } });
    return arms;
  }
}

/** The big file: shared definitions, then tiers until it has `lines` lines. */
function bigFile(kinds: Kinds, lines: number, seed: number): string {
  const writer = new TopologyWriter(createPrng(seed), kinds);
  writer.line("# Generated by bench/parse-check.ts: a large, realistic topology that checks clean.");
  const shared = writer.definitions();
  for (let i = 0; writer.lineCount < lines; i++) writer.tier(`tier_${String(i).padStart(4, "0")}`, 1, shared);
  return writer.text();
}

/** Small files of 20–50 lines: one tier each, a third of them importing shared definitions. */
function smallFiles(kinds: Kinds, count: number, seed: number): { files: { path: string; text: string }[]; shared: string } {
  const prng = createPrng(seed + 1);
  const sharedWriter = new TopologyWriter(prng, kinds);
  const shared = sharedWriter.definitions();
  const files: { path: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const writer = new TopologyWriter(prng, kinds);
    const imports = prng.chance(1 / 3);
    if (imports) writer.line('import "shared.flow"');
    writer.tier(`small_${i}`, prng.pick([0.4, 0.5, 0.6, 0.7]), imports ? shared : NO_SHARED);
    files.push({ path: `small/file_${i}.flow`, text: writer.text() });
  }
  return { files, shared: sharedWriter.text() };
}

/** Every kind of the registry, by role. */
function allKinds(frontEnd: FrontEnd): Kinds {
  const byRole = (role: ComponentSpec["role"]): ComponentSpec[] => frontEnd.COMPONENT_SPECS.filter((spec) => spec.role === role);
  const keywords = new Set(frontEnd.KEYWORDS.map((keyword) => (keyword.PATTERN as RegExp).source));
  return { source: byRole("source"), channel: byRole("channel"), sink: byRole("sink"), interceptor: byRole("interceptor"), group: byRole("group"), keywords };
}

/**
 * The kinds a generated topology may use when some kind makes it fail: each kind of the registry is tried
 * in a small tier of its own, and left out (named on stderr) if that tier does not check clean, e.g.
 * because the checker has learnt a rule the generator does not know.
 */
function usableKinds(frontEnd: FrontEnd): Kinds {
  const all = allKinds(frontEnd);
  const probe = (kinds: Kinds): boolean => {
    for (let seed = 0; seed < 3; seed++) {
      const writer = new TopologyWriter(createPrng(seed), kinds);
      writer.tier("probe", 1, NO_SHARED);
      if (frontEnd.compileSource("probe.flow", writer.text(), { readFile: () => undefined }).errorCount > 0) return false;
    }
    return true;
  };
  // Sources, channels and sinks first, each with the first kind of the other two roles.
  const plain: Kinds = { ...all, source: all.source.slice(0, 1), channel: all.channel.slice(0, 1), sink: all.sink.slice(0, 1), interceptor: [], group: [] };
  const base: Kinds = {
    ...plain,
    source: all.source.filter((spec) => probe({ ...plain, source: [spec] })),
    channel: all.channel.filter((spec) => probe({ ...plain, channel: [spec] })),
    sink: all.sink.filter((spec) => probe({ ...plain, sink: [spec] })),
  };
  if (base.source.length === 0 || base.channel.length === 0 || base.sink.length === 0) throw new Error("no source, channel or sink kind checks clean in a generated tier");
  const usable: Kinds = {
    ...base,
    interceptor: all.interceptor.filter((spec) => probe({ ...base, interceptor: [spec], group: [] })),
    group: all.group.filter((spec) => probe({ ...base, interceptor: [], group: [spec] })),
  };
  const left = frontEnd.COMPONENT_SPECS.filter((spec) => ![...usable.source, ...usable.channel, ...usable.sink, ...usable.interceptor, ...usable.group].includes(spec));
  if (left.length > 0) note(`left out (a generated use does not check clean): ${left.map((spec) => `${spec.role} ${spec.kind}`).join(", ")}`);
  return usable;
}

// ---------------------------------------------------------------------------------------------------------
// Measurement.

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const { frontEnd, cleanup } = await loadFrontEnd(options.from);

// 1. The big file. It must check clean: a file with errors stops before the checker and lowering. Every
// kind is used unless that fails: probing kinds one by one warms the JIT up on small files, after which
// lexing the big file measured about twice as slow.
let kinds = allKinds(frontEnd);
let big = bigFile(kinds, LINES, SEED);
if (frontEnd.compileSource("big.flow", big, { readFile: () => undefined }).errorCount > 0) {
  kinds = usableKinds(frontEnd);
  big = bigFile(kinds, LINES, SEED);
}
note(`kinds: ${(["source", "channel", "sink", "interceptor", "group"] as const).map((role) => `${role} ${kinds[role].map((spec) => spec.kind).join("/") || "-"}`).join(", ")}`);
const bigLines = big.split("\n").length - 1;
if (options.save !== undefined) writeFileSync(options.save, big);
{
  // In a block, so that this result is garbage by the time the timed runs start.
  const first = frontEnd.compileSource("big.flow", big, { readFile: () => undefined });
  if (first.errorCount > 0) {
    for (const d of first.diagnostics.slice(0, 10)) note(frontEnd.renderPretty(d, { color: false }));
    throw new Error(`the generated big file has ${first.errorCount} errors`);
  }
  report("big_lines", bigLines, "lines");
  report("big_size", (Buffer.byteLength(big) / 1_048_576).toFixed(2), "MiB");
  report("big_tiers", first.plans?.length ?? 0, "tiers");
  report("big_warnings", first.warningCount, "warnings");
}

const phases = { lex: [] as number[], parse: [] as number[], ast: [] as number[], check: [] as number[], lower: [] as number[], compile: [] as number[] };
for (let run = -2; run < RUNS; run++) {
  // Two warm-up rounds, then RUNS measured ones. Each phase is timed on its own, as compileSource chains them.
  const sample = {
    lex: time(() => frontEnd.flowLexer.tokenize(big)),
    compile: time(() => frontEnd.compileSource("big.flow", big, { readFile: () => undefined })),
    parse: 0,
    ast: 0,
    check: 0,
    lower: 0,
  };
  const bag = new frontEnd.DiagnosticBag();
  let parsed: ReturnType<FrontEnd["parseFlow"]> | undefined;
  let file: ReturnType<FrontEnd["buildAst"]> | undefined;
  let checked: ReturnType<FrontEnd["checkTopology"]> | undefined;
  sample.parse = time(() => (parsed = frontEnd.parseFlow(big)));
  sample.ast = time(() => (file = frontEnd.buildAst(new frontEnd.SourceFile("big.flow", big), parsed as NonNullable<typeof parsed>, bag)));
  sample.check = time(() => (checked = frontEnd.checkTopology([file as NonNullable<typeof file>], bag)));
  sample.lower = time(() => frontEnd.lowerToPlans(checked as NonNullable<typeof checked>, frontEnd.FLOWC_VERSION));
  if (bag.errorCount > 0) throw new Error("the phases found errors that compileSource did not");
  if (run < 0) continue;
  for (const key of Object.keys(phases) as (keyof typeof phases)[]) phases[key].push(sample[key]);
}
const compileMs = median(phases.compile);
report("big_compile_median", compileMs.toFixed(1), "ms");
report("big_compile_min", Math.min(...phases.compile).toFixed(1), "ms");
report("big_throughput", Math.round(bigLines / (compileMs / 1000)), "lines/s");
report("big_lex_median", median(phases.lex).toFixed(1), "ms");
report("big_parse_median", median(phases.parse).toFixed(1), "ms");
report("big_ast_median", median(phases.ast).toFixed(1), "ms");
report("big_check_median", median(phases.check).toFixed(1), "ms");
report("big_lower_median", median(phases.lower).toFixed(1), "ms");
const frontHalf = median(phases.parse) + median(phases.ast);
report("big_parse_share", Math.round((100 * frontHalf) / (frontHalf + median(phases.check) + median(phases.lower))), "%");

// 2. Many small files, one after the other, as `flowc check` on each file of a repository would.
const small = smallFiles(kinds, FILES, SEED);
const readShared = (path: string): string | undefined => (path.endsWith("shared.flow") ? small.shared : undefined);
const smallLines = small.files.reduce((sum, f) => sum + f.text.split("\n").length - 1, 0);
const dirty = small.files.filter((f) => frontEnd.compileSource(f.path, f.text, { readFile: readShared }).errorCount > 0);
if (dirty[0] !== undefined) {
  const result = frontEnd.compileSource(dirty[0].path, dirty[0].text, { readFile: readShared });
  for (const d of result.diagnostics.slice(0, 5)) note(frontEnd.renderPretty(d, { color: false }));
  throw new Error(`${dirty.length} generated small files have errors`);
}
const totals: number[] = [];
for (let run = -1; run < RUNS; run++) {
  const total = time(() => {
    for (const f of small.files) frontEnd.compileSource(f.path, f.text, { readFile: readShared });
  });
  if (run >= 0) totals.push(total);
}
const smallMs = median(totals);
report("small_files", small.files.length, "files");
report("small_lines_mean", (smallLines / small.files.length).toFixed(1), "lines");
report("small_total_median", smallMs.toFixed(1), "ms");
report("small_throughput", Math.round(small.files.length / (smallMs / 1000)), "files/s");
report("small_line_throughput", Math.round(smallLines / (smallMs / 1000)), "lines/s");
cleanup();
