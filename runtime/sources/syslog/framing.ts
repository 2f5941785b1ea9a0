/**
 * Splits a syslog TCP byte stream into messages (RFC 6587): newline-terminated ("non-transparent
 * framing") or octet-counted (`LENGTH SP MESSAGE`). Pure: bytes in, frames out, no I/O.
 *
 * Auto-detection looks at the first frame of the connection only: it is octet-counted when it begins with
 * 1–10 digits, one space and `<` (the PRI); anything else — including a line that merely starts with a
 * digit — makes the connection newline-framed. A connection keeps the framing it started with.
 *
 * Frames are views into the received chunks; only a frame spanning chunks is copied (once). Whatever the
 * input, the framer never holds more than `maxMessageSize` bytes of one frame: longer frames are cut and the
 * rest discarded as it arrives, so a hostile octet count cannot make it allocate.
 */

/** What the framer says about a frame, as bit flags (0: a whole, well-framed message). */
export const FrameFlag = {
  /** Longer than `maxMessageSize`: cut to it; the rest of the frame was discarded. */
  truncated: 1,
  /** The stream ended in the middle of an octet-counted frame: this is all of it that arrived. */
  cutOff: 2,
  /** On an octet-counting connection, no valid `LENGTH SP` where a frame should start: read up to the next newline instead. */
  unframed: 4,
} as const;

/** Receives frames, in stream order. `frame` is only valid during the call unless kept as is (not copied into). */
export interface FrameSink {
  onFrame(frame: Buffer, flags: number): void;
}

export type Framing = "auto" | "newline" | "octet_counting";

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const LESS_THAN = 0x3c;
const ZERO = 0x30;
const NINE = 0x39;
const EMPTY = Buffer.alloc(0);
/** Digits an octet count may have: 10 is enough for any size a message could have. */
const MAX_COUNT_DIGITS = 10;

const enum Mode {
  /** Auto-detection: nothing (or only the beginning of a possible `LENGTH SP <`) received yet. */
  Undecided,
  Newline,
  Octet,
}

/** Reading an octet-counted frame: its header, its message, or the rest of an over-long message being discarded. */
const enum OctetState {
  Header,
  Message,
  Discard,
  /** A frame without a valid header: its bytes up to the next newline are one (unframed) message. */
  BadLine,
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE;
}

export class StreamFramer {
  private mode: Mode;
  /** Bytes of the current frame received in earlier chunks (already cut to at most `maxMessageSize`). */
  private carried: Buffer[] = [];
  private carriedLength = 0;
  /** Newline mode, or a bad octet line: discarding the rest of an over-long line up to its newline. */
  private skippingLine = false;
  private octetState = OctetState.Header;
  /** The octet count read so far, and how many digits it had. */
  private count = 0;
  private countDigits = 0;
  /** Octet mode: bytes of the current message still to come (`Message`) or to discard (`Discard`). */
  private remaining = 0;
  /** Flags for the frame being assembled. */
  private flags = 0;

  constructor(
    framing: Framing,
    private readonly maxMessageSize: number,
  ) {
    this.mode = framing === "newline" ? Mode.Newline : framing === "octet_counting" ? Mode.Octet : Mode.Undecided;
  }

  /** The framing of this connection so far: `undecided` until its first bytes tell (auto only). */
  get framing(): "undecided" | "newline" | "octet_counting" {
    return this.mode === Mode.Undecided ? "undecided" : this.mode === Mode.Newline ? "newline" : "octet_counting";
  }

  /** Bytes of an unfinished frame held back (and the digits of an unfinished octet count). */
  get pendingBytes(): number {
    return this.carriedLength + (this.mode === Mode.Octet && this.octetState === OctetState.Header ? this.countDigits : 0);
  }

  push(chunk: Buffer, sink: FrameSink): void {
    if (chunk.length === 0) return;
    if (this.mode === Mode.Undecided) {
      this.decide(chunk, sink);
      return;
    }
    if (this.mode === Mode.Newline) this.pushLines(chunk, 0, sink);
    else this.pushOctets(chunk, sink);
  }

  /** At the end of the stream: hands over an unfinished frame (flagged `cutOff` when it was octet-counted). */
  end(sink: FrameSink): void {
    if (this.mode === Mode.Octet) {
      if (this.octetState === OctetState.Message) {
        if (this.carriedLength > 0) this.emitCarried(EMPTY, this.flags | FrameFlag.cutOff, sink);
      } else if (this.octetState === OctetState.Header && this.countDigits > 0) {
        // Only digits arrived: they are a message of their own, with no framing.
        sink.onFrame(Buffer.from(String(this.count).padStart(this.countDigits, "0")), FrameFlag.unframed | FrameFlag.cutOff);
      } else if (this.octetState === OctetState.BadLine && !this.skippingLine && this.carriedLength > 0) {
        this.emitCarried(EMPTY, this.flags, sink);
      }
      this.resetOctet();
    } else if (this.carriedLength > 0 && !this.skippingLine) {
      this.emitCarried(EMPTY, this.flags, sink);
    }
    this.carried = [];
    this.carriedLength = 0;
    this.skippingLine = false;
    this.flags = 0;
  }

  /** Auto-detection on the first bytes of the connection (held in `carried` while they cannot tell yet). */
  private decide(chunk: Buffer, sink: FrameSink): void {
    const bytes = this.carriedLength === 0 ? chunk : Buffer.concat([...this.carried, chunk]);
    let at = 0;
    while (at < bytes.length && at < MAX_COUNT_DIGITS && isDigit(bytes[at])) at++;
    let verdict: Mode | undefined;
    if (at === 0) verdict = Mode.Newline;
    else if (at === bytes.length) verdict = at >= MAX_COUNT_DIGITS ? Mode.Newline : undefined;
    else if (bytes[at] !== SPACE) verdict = Mode.Newline;
    else if (at + 1 === bytes.length) verdict = undefined;
    else verdict = bytes[at + 1] === LESS_THAN ? Mode.Octet : Mode.Newline;
    if (verdict === undefined) {
      // Copied: at most 11 bytes, kept until the next chunk decides.
      this.carried = [Buffer.from(bytes)];
      this.carriedLength = bytes.length;
      return;
    }
    this.carried = [];
    this.carriedLength = 0;
    this.mode = verdict;
    if (verdict === Mode.Newline) this.pushLines(bytes, 0, sink);
    else this.pushOctets(bytes, sink);
  }

  // Newline framing ------------------------------------------------------------------------------------

  /** Splits `chunk[from…]` at newlines; used by newline connections and for unframed lines of octet ones. */
  private pushLines(chunk: Buffer, from: number, sink: FrameSink): number {
    let start = from;
    let newline = chunk.indexOf(LF, start);
    while (newline !== -1) {
      this.completeLine(chunk, start, newline, sink);
      start = newline + 1;
      if (this.mode === Mode.Octet) return start; // an unframed line ended: back to octet frames
      newline = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.carryLine(chunk.subarray(start), sink);
    return chunk.length;
  }

  private completeLine(chunk: Buffer, start: number, newline: number, sink: FrameSink): void {
    const flags = this.flags;
    this.flags = 0;
    if (this.mode === Mode.Octet) this.octetState = OctetState.Header;
    if (this.skippingLine) {
      this.skippingLine = false;
      return;
    }
    let end = newline;
    if (end > start && chunk[end - 1] === CR) end--;
    const tail = chunk.subarray(start, end);
    if (this.carriedLength === 0) {
      if (tail.length > this.maxMessageSize) sink.onFrame(tail.subarray(0, this.maxMessageSize), flags | FrameFlag.truncated);
      else if (tail.length > 0 || flags !== 0) sink.onFrame(tail, flags);
      return;
    }
    // A CR that ended the previous chunk belongs to this line's CRLF.
    if (end === newline && start === newline) {
      const last = this.carried[this.carried.length - 1];
      if (last !== undefined && last[last.length - 1] === CR) {
        this.carried[this.carried.length - 1] = last.subarray(0, last.length - 1);
        this.carriedLength--;
      }
    }
    this.emitCarried(tail, flags, sink);
  }

  private carryLine(piece: Buffer, sink: FrameSink): void {
    if (this.skippingLine) return;
    const room = this.maxMessageSize - this.carriedLength;
    if (piece.length > room) {
      // Over-long: hand over what fits now and discard the rest of the line up to its newline.
      const flags = this.flags | FrameFlag.truncated;
      this.flags = 0;
      this.emitCarried(piece.subarray(0, room), flags, sink);
      this.skippingLine = true;
      return;
    }
    // Copied: `piece` is a view into a chunk we should not pin while the rest of the line is awaited.
    this.carried.push(Buffer.from(piece));
    this.carriedLength += piece.length;
  }

  private emitCarried(tail: Buffer, flags: number, sink: FrameSink): void {
    let frame: Buffer;
    if (this.carriedLength === 0) frame = tail;
    else {
      const room = this.maxMessageSize - this.carriedLength;
      const kept = tail.length > room ? tail.subarray(0, room) : tail;
      if (kept.length < tail.length) flags |= FrameFlag.truncated;
      if (kept.length > 0) this.carried.push(kept);
      frame = this.carried.length === 1 ? (this.carried[0] as Buffer) : Buffer.concat(this.carried, this.carriedLength + kept.length);
    }
    this.carried = [];
    this.carriedLength = 0;
    if (frame.length > 0 || flags !== 0) sink.onFrame(frame, flags);
  }

  // Octet counting -------------------------------------------------------------------------------------

  private pushOctets(chunk: Buffer, sink: FrameSink): void {
    let at = 0;
    const length = chunk.length;
    while (at < length) {
      switch (this.octetState) {
        case OctetState.Header:
          at = this.readHeader(chunk, at);
          break;
        case OctetState.Message: {
          const available = length - at;
          const room = this.maxMessageSize - this.carriedLength;
          if (this.carriedLength === 0 && this.remaining <= available && this.remaining <= room) {
            // The whole message is in this chunk: a view, no copy.
            const end = at + this.remaining;
            this.octetState = OctetState.Header;
            this.remaining = 0;
            const flags = this.flags;
            this.flags = 0;
            sink.onFrame(withoutNewline(chunk.subarray(at, end)), flags);
            at = end;
            break;
          }
          const take = Math.min(this.remaining, available, room);
          this.carried.push(Buffer.from(chunk.subarray(at, at + take)));
          this.carriedLength += take;
          this.remaining -= take;
          at += take;
          if (this.remaining === 0) this.finishOctetFrame(sink);
          else if (this.carriedLength === this.maxMessageSize) {
            // Over-long: hand over what fits now and discard the rest as it arrives.
            this.finishOctetFrame(sink);
            this.octetState = OctetState.Discard;
          }
          break;
        }
        case OctetState.Discard: {
          const take = Math.min(this.remaining, length - at);
          this.remaining -= take;
          at += take;
          if (this.remaining === 0) this.octetState = OctetState.Header;
          break;
        }
        case OctetState.BadLine:
          at = this.pushLines(chunk, at, sink);
          break;
      }
    }
  }

  /** Reads `LENGTH SP` (skipping newlines some senders put between frames); returns where it stopped. */
  private readHeader(chunk: Buffer, from: number): number {
    let at = from;
    const length = chunk.length;
    while (at < length) {
      const byte = chunk[at] as number;
      if (byte >= ZERO && byte <= NINE) {
        if (this.countDigits === MAX_COUNT_DIGITS) return this.badHeader(at);
        this.count = this.count * 10 + (byte - ZERO);
        this.countDigits++;
        at++;
      } else if (byte === SPACE && this.countDigits > 0) {
        at++;
        this.startOctetMessage();
        return at;
      } else if ((byte === LF || byte === CR) && this.countDigits === 0) {
        at++; // a trailer between frames (not part of RFC 6587, but common)
      } else {
        return this.badHeader(at);
      }
    }
    return at;
  }

  /** No valid `LENGTH SP` here: the bytes up to the next newline, digits read so far included, are one message. */
  private badHeader(at: number): number {
    this.octetState = OctetState.BadLine;
    this.flags = FrameFlag.unframed;
    if (this.countDigits > 0) {
      this.carried.push(Buffer.from(String(this.count).padStart(this.countDigits, "0")));
      this.carriedLength += this.countDigits;
    }
    this.count = 0;
    this.countDigits = 0;
    return at;
  }

  private startOctetMessage(): void {
    const count = this.count;
    this.count = 0;
    this.countDigits = 0;
    this.flags = count > this.maxMessageSize ? FrameFlag.truncated : 0;
    this.remaining = count;
    this.octetState = count === 0 ? OctetState.Header : OctetState.Message;
  }

  private finishOctetFrame(sink: FrameSink): void {
    this.octetState = OctetState.Header;
    const flags = this.flags;
    this.flags = 0;
    const frame = this.carried.length === 1 ? (this.carried[0] as Buffer) : Buffer.concat(this.carried, this.carriedLength);
    this.carried = [];
    this.carriedLength = 0;
    sink.onFrame(withoutNewline(frame), flags);
  }

  private resetOctet(): void {
    this.octetState = OctetState.Header;
    this.count = 0;
    this.countDigits = 0;
    this.remaining = 0;
  }
}

/** A message without the newline (LF or CRLF) some senders end octet-counted frames and datagrams with. */
export function withoutNewline(frame: Buffer): Buffer {
  let end = frame.length;
  if (end > 0 && frame[end - 1] === LF) {
    end--;
    if (end > 0 && frame[end - 1] === CR) end--;
  }
  return end === frame.length ? frame : frame.subarray(0, end);
}

/**
 * A UDP datagram's message: without an RFC 6587 octet count some senders put in front even over UDP
 * (`logger --udp --octet-count`: `96 <13>1 …`; recognised as in auto-detection: digits, one space, `<`),
 * and without a trailing newline. A datagram is one message whatever the count says.
 */
export function datagramMessage(datagram: Buffer): Buffer {
  let at = 0;
  while (at < datagram.length && at < MAX_COUNT_DIGITS && isDigit(datagram[at])) at++;
  const start = at > 0 && datagram[at] === SPACE && datagram[at + 1] === LESS_THAN ? at + 1 : 0;
  return withoutNewline(start === 0 ? datagram : datagram.subarray(start));
}
