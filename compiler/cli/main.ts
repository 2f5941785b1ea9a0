import { Command, CommanderError, Option } from "commander";
import { GRAPH_FORMATS, type GraphFormat } from "../graph";
import { FLOWC_VERSION } from "../package-root";
import { buildCommand } from "./build-command";
import { checkCommand } from "./check-command";
import { explainCommand } from "./explain-command";
import { runCommand } from "./run-command";
import { testCommand } from "./test-command";
import { FMT_EXIT_CODE_HELP, fmtCommand } from "./fmt-command";
import { CliError, ExitCode } from "./exit-codes";
import { graphCommand } from "./graph-command";

const EXIT_CODE_HELP = `
Exit codes:
  0  success (warnings alone do not fail)
  1  the input has errors, or the build could not complete
  2  usage error: bad options, or a path that is not a readable file
  3  internal error: a bug in flowc, please report it`;

const BUILD_OUTPUT_HELP = `
Output, for each tier, in <out>/<tier>/:
  <tier>               the agent binary (installed as /usr/local/bin/<tier>: see <tier>.service)
  <tier>.service       a hardened systemd unit for it
  manifest.json        hashes of the binary and the .flow files, Node.js, ports, paths written, env variables
  <tier>.generated.ts  the generated TypeScript, with --emit-ts
Without --code-cache, the same input gives byte-identical binaries and manifests.
`;

function program(setExitCode: (code: number) => void): Command {
  const flowc = new Command("flowc")
    .description("Compile .flow topologies into single-binary log and event agents, one per tier.")
    .version(FLOWC_VERSION, "-V, --version", "print the flowc version")
    .helpOption("-h, --help", "print help")
    .addHelpText("after", EXIT_CODE_HELP)
    .showSuggestionAfterError(true)
    .exitOverride();

  flowc
    .command("check")
    .description("parse and type-check every tier of a .flow file")
    .argument("<file>", "the .flow file")
    .addOption(new Option("--format <format>", "how to print diagnostics").choices(["pretty", "json"]).default("pretty"))
    .option("--deny-warnings", "fail (exit 1) on warnings too")
    .addHelpText("after", EXIT_CODE_HELP)
    .action(async (file: string, options: { format: "pretty" | "json"; denyWarnings?: boolean }) =>
      setExitCode(await checkCommand(file, { format: options.format, denyWarnings: options.denyWarnings === true })),
    );

  flowc
    .command("explain")
    .description("explain a diagnostic code, with an example")
    .argument("<code>", "a code such as FLOW2001")
    .addHelpText("after", EXIT_CODE_HELP)
    .action((code: string) => setExitCode(explainCommand(code)));

  flowc
    .command("build")
    .description("check a .flow file and build one single-executable agent per tier into <out>/<tier>/<tier>")
    .argument("<file>", "the .flow file")
    .option("-o, --out <dir>", "output directory", "dist")
    .option("-t, --tier <name>", "build only this tier")
    .option("--node <path>", "embed this Node.js binary instead of the pinned LTS release (also FLOWC_NODE)")
    .option("--deny-warnings", "refuse to build when there are warnings")
    .option("--emit-ts", "keep the generated TypeScript of each tier as <out>/<tier>/<tier>.generated.ts")
    .option("--code-cache", "put V8's code cache in the binaries: they start faster, but are NOT reproducible (each build differs); recorded in manifest.json")
    .option("-q, --quiet", "print only errors (no progress lines, no warnings)")
    .addHelpText("after", BUILD_OUTPUT_HELP + EXIT_CODE_HELP)
    .action(
      async (file: string, options: { out: string; tier?: string; node?: string; denyWarnings?: boolean; emitTs?: boolean; codeCache?: boolean; quiet?: boolean }) =>
        setExitCode(await buildCommand(file, options)),
    );

  flowc
    .command("fmt")
    .description("rewrite .flow files in the canonical layout, keeping every comment")
    .argument("<file...>", "the .flow files")
    .option("--check", "write nothing; list the files that would change and exit 1 if there are any")
    .addOption(new Option("--stdout", "print the formatted text of one file instead of writing it").conflicts("check"))
    .addHelpText("after", FMT_EXIT_CODE_HELP)
    .action(async (files: string[], options: { check?: boolean; stdout?: boolean }) =>
      setExitCode(await fmtCommand(files, { check: options.check === true, stdout: options.stdout === true })),
    );

  flowc
    .command("graph")
    .description("check a .flow file and print its topology as a Graphviz or mermaid diagram, one cluster per tier")
    .argument("<file>", "the .flow file")
    .option("-t, --tier <name>", "draw only this tier")
    .addOption(new Option("--format <format>", "the diagram language").choices(GRAPH_FORMATS).default("dot"))
    .addHelpText("after", EXIT_CODE_HELP)
    .action(async (file: string, options: { tier?: string; format: GraphFormat }) => setExitCode(await graphCommand(file, options)));

  flowc
    .command("test")
    .description("run the `test` blocks of a .flow file through the generated interceptors and routes")
    .argument("<file>", "the .flow file")
    .option("-t, --tier <name>", "only the tests of this tier")
    .addHelpText("after", EXIT_CODE_HELP.replace("1  the input has errors, or the build could not complete", "1  a test failed, or the input has errors"))
    .action(async (file: string, options: { tier?: string }) => setExitCode(await testCommand(file, options)));

  flowc
    .command("run")
    .description("run one tier in this process from its generated code, without building a binary")
    .argument("<file>", "the .flow file")
    .argument("[agent-options...]", "after `--`: the agent's own options, e.g. -- --log-level debug")
    .option("-t, --tier <name>", "the tier to run (needed when the file has several)")
    .addHelpText("after", "\nThe tier runs as its binary would (same options, logs, signals and exit codes; see `<tier> --help`),\non the Node.js running flowc.")
    .action(async (file: string, agentArgs: string[], options: { tier?: string }) => {
      const code = await runCommand(file, options, agentArgs);
      if (code !== undefined) setExitCode(code);
    });

  for (const command of flowc.commands) command.exitOverride();
  return flowc;
}

/** Runs the CLI and resolves with the exit code; user errors never escape as stack traces. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  try {
    await program((code) => (exitCode = code)).parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help/version) already.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`internal error: this is a bug in flowc, please report it\n${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.internal;
  }
}
