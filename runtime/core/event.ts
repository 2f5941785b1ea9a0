/** Event headers: a flat string-to-string map, as in Flume. */
export type Headers = Record<string, string>;

/**
 * One event: headers plus an opaque body. A class (not an object literal) so every event has the same
 * hidden shape, which keeps the hot paths monomorphic.
 */
export class FlowEvent {
  constructor(
    public headers: Headers,
    public body: Buffer,
  ) {}
}
