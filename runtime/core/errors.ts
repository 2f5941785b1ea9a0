/** A put refused because the channel has no room; the source must push back and retry later. */
export class ChannelFullError extends Error {
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
    this.name = "ChannelFullError";
  }
}

/** A transaction used outside its contract (a programming error in a component, never user input). */
export class TransactionStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransactionStateError";
  }
}

/** A problem a user can fix (bad environment, unusable path): reported without a stack trace. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "UserFacingError";
  }
}
