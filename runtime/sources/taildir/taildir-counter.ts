import { SourceCounter } from "../../metrics/counters";

/** Flume's SourceCounter plus what following files adds (each one is in the metrics catalogue). */
export class TaildirSourceCounter extends SourceCounter {
  /** Files open now (a gauge). */
  OpenFileCount = 0;
  /** Followed files renamed away or to another matched name (rename rotation), each counted once. */
  FileRotatedCount = 0;
  /** Followed files deleted (they are read to their end first). */
  FileDeletedCount = 0;
  /** Followed files found shorter than what was read, or rewritten in place (copytruncate): read again from their start. */
  FileTruncatedCount = 0;
  /** Failures to open, stat or read a file (permission denied, I/O errors); retried at every poll, logged once per file. */
  FileReadFail = 0;
  /** Failures to write the position file; retried at the next interval. */
  PositionWriteFail = 0;
  /** Lines longer than max_line_length, cut to it. */
  LineTruncatedCount = 0;
  /** Multi-line events handed on early because the next line would have made them longer than max_line_length. */
  MultilineSplitCount = 0;
}
