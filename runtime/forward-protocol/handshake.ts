import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { MsgpackReader, describeType } from "./msgpack-reader";
import type { MsgpackWriter } from "./msgpack-writer";
import { ProtocolError } from "./protocol-error";

/**
 * The Forward protocol's optional handshake: the server sends HELO (a nonce, and a salt when it checks
 * users), the client answers PING (its hostname, a salt of its own, a digest proving it knows the shared
 * key, and a user name with a password digest), the server answers PONG (the result and a digest proving
 * it knows the key too). Digests are SHA-512 in hex over the raw bytes of the parts, in this order:
 *   PING: salt, client hostname, nonce, shared key       PONG: salt, server hostname, nonce, shared key
 *   password: auth salt, user name, password
 */

export function sha512Hex(...parts: readonly (Buffer | string)[]): string {
  const hash = createHash("sha512");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/** 16 random bytes: a nonce, a salt. */
export function newSalt(): Buffer {
  return randomBytes(16);
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface Helo {
  readonly nonce: Buffer;
  /** The salt for the password digest; empty when the server does not check users. */
  readonly auth: Buffer;
  readonly keepalive: boolean;
}

export interface Ping {
  readonly hostname: string;
  readonly salt: Buffer;
  readonly digest: string;
  readonly username: string;
  readonly password: string;
}

export interface Pong {
  readonly ok: boolean;
  readonly reason: string;
  readonly hostname: string;
  readonly digest: string;
}

export function writeHelo(writer: MsgpackWriter, helo: Helo): void {
  writer.arrayHeader(2);
  writer.str("HELO");
  writer.mapHeader(3);
  writer.str("nonce");
  writer.bin(helo.nonce);
  writer.str("auth");
  // Fluentd sends an empty string when it checks no users, random bytes when it does.
  if (helo.auth.length === 0) writer.str("");
  else writer.bin(helo.auth);
  writer.str("keepalive");
  writer.boolean(helo.keepalive);
}

export function readHelo(message: Buffer): Helo {
  const reader = new MsgpackReader(message);
  if (reader.readArrayHeader("HELO") !== 2 || reader.readString("HELO type") !== "HELO") throw new ProtocolError("expected HELO from the server");
  const count = reader.readMapHeader("HELO options");
  let nonce: Buffer | undefined;
  let auth: Buffer = Buffer.alloc(0);
  let keepalive = true;
  for (let i = 0; i < count; i++) {
    const key = reader.readKey("HELO option", 1);
    if (key === "nonce") nonce = bytes(reader, "HELO nonce");
    else if (key === "auth") auth = bytes(reader, "HELO auth");
    else if (key === "keepalive") {
      const value = reader.readValue("HELO keepalive", 1);
      if (typeof value !== "boolean") throw new ProtocolError("HELO keepalive: expected a boolean");
      keepalive = value;
    } else reader.skip("HELO option");
  }
  if (nonce === undefined) throw new ProtocolError("HELO without a nonce");
  return { nonce, auth, keepalive };
}

export function writePing(writer: MsgpackWriter, ping: Ping): void {
  writer.arrayHeader(6);
  writer.str("PING");
  writer.str(ping.hostname);
  writer.strBytes(ping.salt);
  writer.str(ping.digest);
  writer.str(ping.username);
  writer.str(ping.password);
}

/** Reads a PING; any other message in its place is a `ProtocolError`. */
export function readPing(message: Buffer): Ping {
  const reader = new MsgpackReader(message);
  const type = reader.peek("PING");
  if (!((type >= 0x90 && type <= 0x9f) || type === 0xdc || type === 0xdd)) throw new ProtocolError(`expected PING, got ${describeType(type)}`);
  if (reader.readArrayHeader("PING") !== 6) throw new ProtocolError("expected PING (an array of 6 elements)");
  if (reader.readString("PING type") !== "PING") throw new ProtocolError("expected PING");
  const hostname = reader.readString("PING hostname");
  const salt = bytes(reader, "PING salt");
  const digest = reader.readString("PING digest");
  const username = reader.readString("PING username");
  const password = reader.readString("PING password");
  return { hostname, salt, digest, username, password };
}

export function writePong(writer: MsgpackWriter, pong: Pong): void {
  writer.arrayHeader(5);
  writer.str("PONG");
  writer.boolean(pong.ok);
  writer.str(pong.reason);
  writer.str(pong.hostname);
  writer.str(pong.digest);
}

export function readPong(message: Buffer): Pong {
  const reader = new MsgpackReader(message);
  if (reader.readArrayHeader("PONG") !== 5 || reader.readString("PONG type") !== "PONG") throw new ProtocolError("expected PONG from the server");
  const ok = reader.readValue("PONG result", 1);
  if (typeof ok !== "boolean") throw new ProtocolError("PONG result: expected a boolean");
  const reason = reader.readString("PONG reason");
  const hostname = reader.readString("PONG hostname");
  const digest = reader.readString("PONG digest");
  return { ok, reason, hostname, digest };
}

/** The server's check of a PING: undefined when it passes, else the reason sent back in PONG. */
export function checkPing(ping: Ping, nonce: Buffer, sharedKey: string, authSalt: Buffer, users: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!sameDigest(ping.digest, sha512Hex(ping.salt, ping.hostname, nonce, sharedKey))) return "shared_key mismatch";
  if (users === undefined) return undefined;
  const password = Object.hasOwn(users, ping.username) ? users[ping.username] : undefined;
  // Compare a digest even for an unknown user, so the answer takes as long either way.
  const expected = sha512Hex(authSalt, ping.username, password ?? "");
  if (!sameDigest(ping.password, expected) || password === undefined || ping.username === "") return "username/password mismatch";
  return undefined;
}

/** A client's PING for `helo`. */
export function pingFor(helo: Helo, hostname: string, sharedKey: string, username: string, password: string): Ping {
  // As Fluentd does: the salt is random hex text, sent as a string.
  const hexSalt = Buffer.from(newSalt().toString("hex"));
  return {
    hostname,
    salt: hexSalt,
    digest: sha512Hex(hexSalt, hostname, helo.nonce, sharedKey),
    username: helo.auth.length === 0 ? "" : username,
    password: helo.auth.length === 0 ? "" : sha512Hex(helo.auth, username, password),
  };
}

/** The client's check of a PONG: undefined when the server authenticated us and proved it knows the key. */
export function checkPong(pong: Pong, ping: Ping, helo: Helo, sharedKey: string): string | undefined {
  if (!pong.ok) return `the server refused the handshake: ${pong.reason || "no reason given"}`;
  if (!sameDigest(pong.digest, sha512Hex(ping.salt, pong.hostname, helo.nonce, sharedKey))) {
    return "the server's shared key digest does not match (it does not know our shared_key)";
  }
  return undefined;
}

function bytes(reader: MsgpackReader, what: string): Buffer {
  reader.readBytes(what);
  return reader.buf.subarray(reader.rangeStart, reader.rangeEnd);
}
