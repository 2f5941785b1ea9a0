import { open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "../../channels/file/crc32";

/** Which file is being read and how far it has been delivered: saved after every committed batch. */
export interface Position {
  /** Path relative to the spooling directory. */
  readonly file: string;
  /** The file's identity when it was opened: a file is the same only if all three still match. */
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  /** Bytes from the start of the file whose lines are all in the channel: where reading resumes. */
  readonly offset: number;
}

/** What reading the saved position found. */
export type SavedPosition =
  | { readonly kind: "none" }
  | { readonly kind: "position"; readonly position: Position }
  /** The file exists but does not hold a valid position (a disk that lost writes); it was moved aside. */
  | { readonly kind: "damaged"; readonly movedTo: string; readonly reason: string };

const FILE = "position.json";
const TEMP = "position.json.tmp";
const VERSION = 1;

/**
 * The position file in the tracker directory: one small JSON document, replaced atomically (written to a
 * temporary file, flushed to disk with fdatasync, then renamed over the old one), so after a crash or a
 * power loss it holds either the previous position or the new one, never a mix. A CRC-32 of the content
 * catches a file damaged anyway (Flume's `.flumespool` metadata is known to end up empty after a full
 * disk, and Flume then refuses to start until it is deleted by hand).
 */
export class PositionStore {
  readonly path: string;
  private readonly temp: string;

  constructor(readonly dir: string) {
    this.path = join(dir, FILE);
    this.temp = join(dir, TEMP);
  }

  async read(): Promise<SavedPosition> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "none" };
      throw error;
    }
    const position = parse(text);
    if (typeof position !== "string") return { kind: "position", position };
    const movedTo = `${this.path}.damaged-${Date.now()}`;
    await rename(this.path, movedTo);
    return { kind: "damaged", movedTo, reason: position };
  }

  async save(position: Position): Promise<void> {
    const body = JSON.stringify({
      version: VERSION,
      file: position.file,
      ino: position.ino.toString(),
      size: position.size.toString(),
      mtime_ns: position.mtimeNs.toString(),
      offset: position.offset,
    });
    const text = `${JSON.stringify({ crc: crc32OfText(body), position: JSON.parse(body) as unknown })}\n`;
    const handle = await open(this.temp, "w", 0o644);
    try {
      await handle.writeFile(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(this.temp, this.path);
  }

  /** No file is being read. */
  async clear(): Promise<void> {
    try {
      await unlink(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

function crc32OfText(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  return crc32(bytes, 0, bytes.length);
}

/** The position in `text`, or why it is not one. */
function parse(text: string): Position | string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return text.length === 0 ? "the file is empty" : "the file is not valid JSON";
  }
  if (typeof document !== "object" || document === null) return "the file does not hold a position";
  const { crc, position } = document as { crc?: unknown; position?: unknown };
  if (typeof position !== "object" || position === null) return "the file does not hold a position";
  if (crc !== crc32OfText(JSON.stringify(position))) return "its checksum does not match its content";
  const fields = position as Record<string, unknown>;
  const { version, file, ino, size, mtime_ns: mtimeNs, offset } = fields;
  if (version !== VERSION) return `it has version ${String(version)}, this agent reads version ${VERSION}`;
  if (typeof file !== "string" || file === "") return "it names no file";
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) return "its offset is not a byte count";
  const numbers = [ino, size, mtimeNs];
  if (!numbers.every((n) => typeof n === "string" && /^\d+$/.test(n))) return "its file identity is not numeric";
  return { file, ino: BigInt(ino as string), size: BigInt(size as string), mtimeNs: BigInt(mtimeNs as string), offset };
}
