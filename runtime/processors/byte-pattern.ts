/** Skips are stored in bytes: a smaller skip than possible is still correct, just slower. */
const MAX_SKIP = 255;

/**
 * A fixed ASCII text searched for in event bodies' bytes, for route and `drop()` conditions whose regex is
 * a plain literal (see compiler/codegen/literal-pattern.ts for why bytes give the same answer as text).
 *
 * Why not `Buffer.indexOf`: for a body of a few hundred bytes the call into C++ costs more than the search;
 * this loop stays in JavaScript, allocates nothing and measured about a quarter cheaper per 200-byte body.
 * The algorithm is Boyer-Moore-Horspool in Hume and Sunday's "tuned" form: the skip for the pattern's last
 * byte is 0, so the inner loop is a load, a lookup and an add until the last byte lines up.
 */
export class BytePattern {
  private readonly bytes: Buffer;
  /** How far the window may move when its last position holds a given byte; 0 for the pattern's last byte. */
  private readonly skip: Uint8Array;
  /** How far it may move when the last byte lines up but the rest does not. */
  private readonly skipAfterMismatch: number;

  constructor(readonly text: string) {
    const bytes = Buffer.from(text, "latin1");
    if (bytes.length === 0) throw new RangeError("a byte pattern needs at least one byte");
    const last = bytes.length - 1;
    const skip = new Uint8Array(256).fill(Math.min(bytes.length, MAX_SKIP));
    for (let i = 0; i < last; i++) skip[bytes[i] as number] = Math.min(last - i, MAX_SKIP);
    const lastByte = bytes[last] as number;
    this.skipAfterMismatch = skip[lastByte] as number;
    skip[lastByte] = 0;
    this.bytes = bytes;
    this.skip = skip;
  }

  /** Whether the pattern occurs anywhere in `haystack`. */
  foundIn(haystack: Uint8Array): boolean {
    const { bytes, skip } = this;
    const last = bytes.length - 1;
    const length = haystack.length;
    // `end` is the haystack position under the pattern's last byte.
    let end = last;
    while (end < length) {
      let step = skip[haystack[end] as number] as number;
      while (step !== 0) {
        end += step;
        if (end >= length) return false;
        step = skip[haystack[end] as number] as number;
      }
      let p = last - 1;
      let h = end - 1;
      while (p >= 0 && haystack[h] === bytes[p]) {
        p--;
        h--;
      }
      if (p < 0) return true;
      end += this.skipAfterMismatch;
    }
    return false;
  }
}
