/** What an operating system error code means, in words a user acts on. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory",
  ENOENT: "no such file or directory",
  EEXIST: "a part of the path exists and is not a directory",
  EMFILE: "too many open files (raise the limit or lower `max_open_files`)",
  ENFILE: "too many open files in the system",
  ENAMETOOLONG: "the name is too long",
  EFBIG: "the file is too large",
  EIO: "an input/output error",
  ELOOP: "too many symbolic links",
  ESTALE: "a stale file handle (network file system)",
};

/** `no space left on the device (ENOSPC)`, or the error's own message when its code is not one of the above. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && DESCRIPTIONS[code] !== undefined) return `${DESCRIPTIONS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A batch a file sink could not write: its message names the sink, the file and the cause. The sink runner
 * logs it, rolls the batch back into the channel and retries it; nothing of it stays in the file.
 */
export class FileWriteError extends Error {
  readonly code: string | undefined;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "FileWriteError";
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}
