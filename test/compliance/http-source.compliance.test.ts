import { Agent } from "node:http";
import { HttpSource } from "../../runtime/sources/http/http-source";
import { httpSourceSpec } from "../../runtime/sources/http/spec";
import { sendHttp } from "../helpers/http-client";
import { configOf } from "../helpers/spec-config";
import { sourceCompliance } from "./source-compliance";

sourceCompliance("http", ({ processor, batchSize }) => {
  const source = new HttpSource("compliance", configOf(httpSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: batchSize }), processor);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let closed = false;
  return {
    source,
    // A refused request is answered 503: the sender keeps it and sends it again.
    refusesToSender: true,
    async send(bodies, started) {
      for (let i = 0; i < bodies.length; i += batchSize) {
        const body = `${bodies.slice(i, i + batchSize).join("\n")}\n`;
        for (;;) {
          if (closed) throw new Error("the client was closed");
          const answer = await sendHttp(started, { body, agent, headers: { "Content-Type": "text/plain" } });
          if (answer.status === 200) break;
          if (answer.status !== 503) throw new Error(`unexpected answer ${answer.status}: ${answer.body}`);
          // Retry-After says 1 s; a test sender retries sooner (the harness drains the channel meanwhile).
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    },
    async cleanup() {
      closed = true;
      agent.destroy();
    },
  };
});
