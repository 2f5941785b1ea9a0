export * from "./event-mapping";
export * from "./handshake";
export * from "./message-framer";
export * from "./msgpack-reader";
export * from "./msgpack-writer";
export * from "./protocol-error";
export * from "./transport-message";
