import { createHash, timingSafeEqual } from "node:crypto";

export type BearerVerdict = "ok" | "missing" | "invalid";

/**
 * Checks `Authorization: Bearer <token>` headers against one token. Both sides are hashed first, so the
 * comparison takes the same time whatever the length or content of what a client sends.
 */
export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  check(authorization: string | undefined): BearerVerdict {
    if (authorization === undefined) return "missing";
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) return "missing";
    return timingSafeEqual(digest(match[1] as string), this.expected) ? "ok" : "invalid";
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
