/** Event headers: a flat string-to-string map, as in Flume. */
export type Headers = Record<string, string>;

/**
 * One event: headers plus an opaque body. A class (not an object literal) so every event has the same
 * hidden shape, which keeps the hot paths monomorphic.
 *
 * Memory: events wait in channels long enough to outlive the young generation, so whatever an event
 * references is promoted with it and then costs old-space garbage collection. So the headers object is
 * made on first use (most events read off a socket or a file never get one), and the decoded text that
 * interceptors and routes share is dropped once the processor has put the event (`forgetText`).
 */
export class FlowEvent {
  /** The body decoded as UTF-8, kept for the `body` it was decoded from (see `bodyText`). */
  private text: string | undefined = undefined;
  private textOf: Buffer | undefined = undefined;
  /** `undefined` until `headers` is first read or assigned. */
  private headerMap: Headers | undefined;

  /** `headers` undefined: the event has none yet, and no object is made until they are read or set. */
  constructor(
    headers: Headers | undefined,
    public body: Buffer,
  ) {
    this.headerMap = headers;
  }

  /** The headers, as a plain object that may be read and written in place (made empty on first use). */
  get headers(): Headers {
    let map = this.headerMap;
    if (map === undefined) {
      map = {};
      this.headerMap = map;
    }
    return map;
  }

  set headers(headers: Headers) {
    this.headerMap = headers;
  }

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

  /**
   * Drops the decoded text, so a string as large as the body is not kept (and promoted) while the event
   * waits in a channel; a later `bodyText()` decodes again. Processors call it once an event is put.
   */
  forgetText(): void {
    this.text = undefined;
    this.textOf = undefined;
  }
}
