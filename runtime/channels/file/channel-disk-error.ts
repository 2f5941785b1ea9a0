import { ChannelFullError } from "../../core/errors";

/**
 * A put refused because of the disk (free space below `min_free_space`, or a failed write or fsync).
 * A `ChannelFullError`, so sources push back and retry exactly as when the channel is full; the channel
 * wakes `whenWritable` waiters once the disk recovers.
 */
export class ChannelDiskError extends ChannelFullError {
  constructor(channel: string, message: string) {
    super(channel, message);
    this.name = "ChannelDiskError";
  }
}
