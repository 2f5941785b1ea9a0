import type { FlowEvent } from "../core/event";
import type { EntryDecoder } from "./event-mapping";
import { MsgpackReader, describeType } from "./msgpack-reader";
import type { MsgpackWriter } from "./msgpack-writer";
import { ProtocolError } from "./protocol-error";

/** The carrier modes of the Forward protocol (what the second element of a message is). */
export const MODE_HEARTBEAT = 0;
export const MODE_MESSAGE = 1;
export const MODE_FORWARD = 2;
export const MODE_PACKED_FORWARD = 3;
export const MODE_COMPRESSED_PACKED_FORWARD = 4;

export const MODE_NAMES = ["heartbeat", "Message", "Forward", "PackedForward", "CompressedPackedForward"] as const;

/**
 * A transport-phase message as the server reads it. For Message, Forward and PackedForward modes its
 * events are decoded at once; for CompressedPackedForward `compressed` holds the gzipped entries, decoded
 * by the caller (decompression is asynchronous) with `EntryDecoder.decodeStream`.
 */
export class TransportMessage {
  mode = MODE_HEARTBEAT;
  tag = "";
  /** The `chunk` option: the id to acknowledge once the events are committed. */
  chunk: string | undefined = undefined;
  compressed: Buffer | undefined = undefined;
}

/**
 * Reads one whole message (as `MessageFramer` cuts them) into `into`, appending its events to `out`.
 * Everything is checked before anything is appended for the caller to use: on a `ProtocolError` the
 * caller discards `out`, so a message is accepted whole or not at all.
 */
export function readTransportMessage(message: Buffer, decoder: EntryDecoder, into: TransportMessage, out: FlowEvent[]): void {
  into.chunk = undefined;
  into.compressed = undefined;
  into.tag = "";
  const reader = new MsgpackReader(message);
  // A nil is a heartbeat over TCP; there is nothing to answer.
  if (reader.readNil()) {
    into.mode = MODE_HEARTBEAT;
    return;
  }
  const type = reader.peek("message");
  if (!((type >= 0x90 && type <= 0x9f) || type === 0xdc || type === 0xdd)) {
    throw new ProtocolError(`expected a Forward message (an array), got ${describeType(type)}`);
  }
  const length = reader.readArrayHeader("message");
  if (length < 2 || length > 4) {
    const type = length > 0 ? reader.peek("tag") : 0;
    const isPing = length === 6 && ((type >= 0xa0 && type <= 0xbf) || type === 0xd9) && reader.readString("tag") === "PING";
    throw new ProtocolError(isPing ? "got a handshake PING, but no handshake was asked for (no shared_key is set here)" : `expected a Forward message of 2 to 4 elements, got ${length}`);
  }
  const tag = reader.readString("tag");
  into.tag = tag;
  decoder.beginMessage();
  const second = reader.peek("second element");
  if ((second >= 0x90 && second <= 0x9f) || second === 0xdc || second === 0xdd) {
    if (length > 3) throw new ProtocolError(`Forward mode: expected 2 or 3 elements, got ${length}`);
    into.mode = MODE_FORWARD;
    const count = reader.readArrayHeader("entries");
    decoder.decodeEntries(reader, count, tag, out);
    if (length === 3) readOption(reader, into);
  } else if ((second >= 0xa0 && second <= 0xbf) || (second >= 0xd9 && second <= 0xdb) || (second >= 0xc4 && second <= 0xc6)) {
    if (length > 3) throw new ProtocolError(`PackedForward mode: expected 2 or 3 elements, got ${length}`);
    reader.readBytes("entries");
    const start = reader.rangeStart;
    const end = reader.rangeEnd;
    const compressed = length === 3 && readOption(reader, into);
    if (compressed) {
      into.mode = MODE_COMPRESSED_PACKED_FORWARD;
      into.compressed = message.subarray(start, end);
    } else {
      into.mode = MODE_PACKED_FORWARD;
      decoder.decodeStream(message, start, end, tag, out);
    }
  } else {
    if (length < 3) throw new ProtocolError(`Message mode: expected 3 or 4 elements, got ${length}`);
    into.mode = MODE_MESSAGE;
    reader.readTime("time");
    out.push(decoder.decodeRecord(reader, tag));
    if (length === 4) readOption(reader, into);
  }
  if (!reader.atEnd) throw new ProtocolError(`${reader.end - reader.pos} bytes after the end of the message`);
}

/** Reads the option map into `into`; returns whether it says the entries are gzipped. Unknown options are ignored. */
function readOption(reader: MsgpackReader, into: TransportMessage): boolean {
  if (reader.readNil()) return false;
  const count = reader.readMapHeader("option");
  let gzip = false;
  for (let i = 0; i < count; i++) {
    const key = reader.readKey("option key", 1);
    if (key === "chunk") into.chunk = reader.readString("option `chunk`");
    else if (key === "compressed") gzip = reader.readString("option `compressed`") === "gzip";
    else if (key === "size") {
      const size = reader.readValue("option `size`", 1);
      if (typeof size !== "number" && typeof size !== "bigint") throw new ProtocolError("option `size`: expected an integer");
    } else reader.skip("option value");
  }
  return gzip;
}

/** Writes the server's answer to a chunk: `{"ack": chunk}`. */
export function writeAck(writer: MsgpackWriter, chunk: string): void {
  writer.mapHeader(1);
  writer.str("ack");
  writer.str(chunk);
}

/** Reads a server's `{"ack": chunk}` and returns the chunk id. */
export function readAck(message: Buffer): string {
  const reader = new MsgpackReader(message);
  const count = reader.readMapHeader("server response");
  let ack: string | undefined;
  for (let i = 0; i < count; i++) {
    const key = reader.readKey("server response key", 1);
    if (key === "ack") ack = reader.readString("ack");
    else reader.skip("server response value");
  }
  if (ack === undefined) throw new ProtocolError("server response without `ack`");
  return ack;
}
