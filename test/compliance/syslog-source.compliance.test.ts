import * as dgram from "node:dgram";
import type { Socket } from "node:net";
import { SyslogSource, type SyslogSourceConfig } from "../../runtime/sources/syslog/syslog-source";
import { syslogSourceSpec } from "../../runtime/sources/syslog/spec";
import type { ChannelProcessor } from "../../runtime/core/component";
import { configOf } from "../helpers/spec-config";
import { connectTcp, endWith } from "../helpers/tcp-client";
import { sourceCompliance } from "./source-compliance";

/** Each body as the MSG of an RFC 5424 message (the source hands the MSG on as the body). */
const message = (body: string): string => `<13>1 2026-11-21T23:26:38.780743+00:00 host app - - - ${body}`;

function source(processor: ChannelProcessor, batchSize: number, values: Partial<SyslogSourceConfig>): SyslogSource {
  return new SyslogSource("compliance", configOf(syslogSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: batchSize, ...values }), processor);
}

function portOf(started: string): number {
  return Number(/^(?:tcp|udp|tcp\+udp):\/\/127\.0\.0\.1:(\d+)$/.exec(started)?.[1]);
}

/** A TCP sender: TCP flow control is the push-back, end() completes once the source has read everything. */
function tcpSender(framing: "newline" | "octet_counting") {
  return ({ processor, batchSize }: { processor: ChannelProcessor; batchSize: number }) => {
    const under = source(processor, batchSize, { protocol: "tcp" });
    const sockets: Socket[] = [];
    return {
      source: under,
      async send(bodies: readonly string[], started: string) {
        const socket = await connectTcp(portOf(started));
        sockets.push(socket);
        const frames = bodies.map((body) => (framing === "newline" ? `${message(body)}\n` : `${Buffer.byteLength(message(body))} ${message(body)}`));
        await endWith(socket, frames.join(""));
      },
      async cleanup() {
        for (const socket of sockets.splice(0)) socket.destroy();
      },
    };
  };
}

sourceCompliance("syslog (tcp, newline framing)", tcpSender("newline"));
sourceCompliance("syslog (tcp, octet counting)", tcpSender("octet_counting"));

/** Datagrams a UDP sender may have in flight before the source has read them (the kernel buffers far more). */
const UDP_WINDOW = 64;

/**
 * UDP cannot push back, so the well-behaved sender paces itself: it keeps at most `UDP_WINDOW` datagrams
 * unread by the source (the kernel drops datagrams beyond its receive buffer). The source holds what a full
 * channel refuses in its `udp_buffer_size` (8 MiB by default, far more than these tests send).
 */
sourceCompliance("syslog (udp)", ({ processor, batchSize }) => {
  const under = source(processor, batchSize, { protocol: "udp" });
  const sockets: dgram.Socket[] = [];
  let closed = false;
  return {
    source: under,
    async send(bodies, started) {
      const port = portOf(started);
      const socket = dgram.createSocket("udp4");
      sockets.push(socket);
      const base = under.counter.EventReceivedCount;
      for (let i = 0; i < bodies.length && !closed; i++) {
        // Waits for the source to read; gives up once stopped (stop() closes the socket: nothing more is read).
        while (!closed && i - (under.counter.EventReceivedCount - base) >= UDP_WINDOW) await new Promise((resolve) => setTimeout(resolve, 1));
        await new Promise<void>((resolve, reject) => socket.send(message(bodies[i] as string), port, "127.0.0.1", (error) => (error ? reject(error) : resolve())));
      }
    },
    async cleanup() {
      closed = true;
      for (const socket of sockets.splice(0)) socket.close();
    },
  };
});
