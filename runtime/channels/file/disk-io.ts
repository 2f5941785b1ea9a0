import * as fs from "node:fs";

export type IoCallback = (error: NodeJS.ErrnoException | null) => void;

/**
 * The few file operations whose failures matter most (writes, fsyncs, free space), behind one seam so
 * tests can inject ENOSPC or a slow fsync. Everything else uses node:fs directly.
 */
export interface DiskIo {
  /** Writes `length` bytes at `position`; returns how many were written (may be fewer). */
  writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  fdatasync(fd: number, callback: IoCallback): void;
  /** For directories, whose entries fdatasync does not cover. */
  fsync(fd: number, callback: IoCallback): void;
  /** Bytes available to this (unprivileged) user on the file system holding `path`. */
  freeBytes(path: string, callback: (error: NodeJS.ErrnoException | null, bytes: number) => void): void;
  freeBytesSync(path: string): number;
}

export const NODE_DISK_IO: DiskIo = {
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd, callback) => fs.fdatasync(fd, callback),
  fsync: (fd, callback) => fs.fsync(fd, callback),
  freeBytes: (path, callback) => fs.statfs(path, (error, stats) => callback(error, error === null ? stats.bavail * stats.bsize : 0)),
  freeBytesSync: (path) => {
    const stats = fs.statfsSync(path);
    return stats.bavail * stats.bsize;
  },
};
