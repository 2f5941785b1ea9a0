import { ChannelCounter } from "../../metrics/counters";

/**
 * Flume's `FileChannelCounter`: the channel counters plus the file channel's health and error counts,
 * and flowc's own durability counters. Plain fields, as in `ChannelCounter`.
 */
export class FileChannelCounter extends ChannelCounter {
  /** True from a successful start until stop. */
  Open = false;
  /** True once stopped. */
  Closed = false;
  /** True while puts are refused: free space below `min_free_space`, or the last write or fsync failed. */
  Unhealthy = false;
  /** Events whose put was refused because of the disk (low space, write error), or whose write failed. */
  EventPutErrorCount = 0;
  /** Events lost when taken because their record could not be read back or failed its checksum. */
  EventTakeErrorCount = 0;
  CheckpointWriteErrorCount = 0;
  /** Torn or damaged records found (at replay or when reading an event back); each is logged with file and offset. */
  CorruptRecordCount = 0;
  /** fsync rounds that had something to flush (one per group commit in `sync = batch`). */
  SyncCount = 0;
  CheckpointCount = 0;
}
