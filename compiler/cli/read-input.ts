import { readFile, stat } from "node:fs/promises";
import { CliError, ExitCode } from "./exit-codes";

/** Reads a `.flow` file named on the command line, turning file-system errors into plain messages. */
export async function readFlowFile(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new CliError(`cannot read \`${path}\`: ${reason}`, ExitCode.usage);
  }
  if (info.isDirectory()) throw new CliError(`\`${path}\` is a directory; give the path of a .flow file`, ExitCode.usage);
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read \`${path}\`: ${(error as Error).message}`, ExitCode.usage);
  }
}
