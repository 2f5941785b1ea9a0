/**
 * Input that breaks the Forward protocol: malformed msgpack, a value of the wrong type, a message over the
 * size limit, a failed handshake. The connection that sent it is closed; the message is not accepted.
 */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}
