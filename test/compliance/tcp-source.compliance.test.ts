import type { Socket } from "node:net";
import { tcpSourceSpec } from "../../runtime/sources/tcp/spec";
import { TcpSource } from "../../runtime/sources/tcp/tcp-source";
import { configOf } from "../helpers/spec-config";
import { connectTcp, endWith } from "../helpers/tcp-client";
import { sourceCompliance } from "./source-compliance";

sourceCompliance("tcp", ({ processor, batchSize }) => {
  const source = new TcpSource("compliance", configOf(tcpSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: batchSize, max_line_length: 1_024 }), processor);
  const sockets: Socket[] = [];
  return {
    source,
    async send(bodies, started) {
      const port = Number(/^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(started)?.[1]);
      const socket = await connectTcp(port);
      sockets.push(socket);
      // TCP flow control is the push-back: end() completes once the source has read everything.
      await endWith(socket, bodies.join("\n") + "\n");
    },
    async cleanup() {
      for (const socket of sockets.splice(0)) socket.destroy();
    },
  };
});
