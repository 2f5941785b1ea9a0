import { readFileSync } from "node:fs";
import { UserFacingError } from "../core/errors";

/**
 * Reads a PEM file named by a component's property (a certificate, key or CA bundle) when the component
 * starts, failing with a message that names the component, the property and the path.
 */
export function readPemFile(component: string, property: string, path: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new UserFacingError(`${component} cannot read ${property} ${path}: ${why}`, 1);
  }
  if (!content.includes("-----BEGIN ")) {
    throw new UserFacingError(`${component} cannot use ${property} ${path}: it is not a PEM file (no "-----BEGIN" line)`, 1);
  }
  return content;
}

/** Why a TLS context could not be made from the files, without OpenSSL's error-code prefixes. */
export function describeTlsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^error:[0-9A-Fa-f]+:/, "").replace(/^[\w ]+ routines::/, "");
}
