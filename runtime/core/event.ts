/** Event headers: a flat string-to-string map, as in Flume. */
export type Headers = Record<string, string>;

/**
 * One event: headers plus an opaque body. A class (not an object literal) so every event has the same
 * hidden shape, which keeps the hot paths monomorphic.
 */
export class FlowEvent {
  /** The body decoded as UTF-8, kept for the `body` it was decoded from (see `bodyText`). */
  private text: string | undefined = undefined;
  private textOf: Buffer | undefined = undefined;

  constructor(
    public headers: Headers,
    public body: Buffer,
  ) {}

  /**
   * The body as UTF-8 text, decoded at most once however many interceptors and route arms read it.
   * The cache is tied to the body it came from, so assigning a new `body` invalidates it.
   */
  bodyText(): string {
    if (this.textOf !== this.body) {
      // No argument: Node's fast path straight to the UTF-8 decoder, without the encoding lookup.
      this.text = this.body.toString();
      this.textOf = this.body;
    }
    return this.text as string;
  }
}
