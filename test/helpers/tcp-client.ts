import { connect, type Socket } from "node:net";

/** Opens a TCP connection to 127.0.0.1:`port`; resolves once connected. The caller destroys it. */
export function connectTcp(port: number, host = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

/** Writes `data` and half-closes the socket; resolves once everything was handed to the kernel. */
export function endWith(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.end(data, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/** Resolves once `socket` emitted 'close' (immediately if it already closed). */
export function whenClosed(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

/**
 * Resolves once the peer half-closed `socket` (its 'end' event), discarding any data it sends. A server
 * that does not allow half-open connections answers a client's FIN with its own, so this also tells that
 * the server has processed the client's end of stream.
 */
export function whenEnded(socket: Socket): Promise<void> {
  if (socket.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once("end", () => resolve());
    socket.resume();
  });
}
