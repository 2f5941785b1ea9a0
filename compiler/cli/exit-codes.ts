/** Exit codes of `flowc` (documented in README.md and `flowc --help`). */
export const ExitCode = {
  /** Everything worked; warnings alone do not fail. */
  ok: 0,
  /** The input has errors (diagnostics were printed), or the build could not complete (the message says why). */
  inputErrors: 1,
  /** The command line is wrong: unknown option, missing argument, a path that is not a readable file. */
  usage: 2,
  /** A bug in flowc. */
  internal: 3,
} as const;

/** An error the user caused and can fix; printed as `error: message`, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}
